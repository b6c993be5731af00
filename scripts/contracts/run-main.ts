// Runs a contract script's main() when the file is executed (not when a test imports it):
// exit with its code, or 2 with the message when it throws.
import path from 'node:path';

export function runWhenExecuted(filename: string, main: () => Promise<number>): void {
  if (!process.argv[1] || path.resolve(process.argv[1]) !== path.resolve(filename)) return;
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(2);
    },
  );
}
