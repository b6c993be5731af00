// Each contract's changelog, openapi/{layer}/{api}.v{major}.changelog.md: notes collect under
// "## Unreleased" and `contracts:release` stamps them "## {version} - {YYYY-MM-DD}". The gateway
// publishes it at /specs/{layer}/{api}/v{major}/changelog and the catalogue shows the last date.

export interface ChangelogRelease {
  version: string;
  /** YYYY-MM-DD */
  date: string;
  notes: string;
}

export interface Changelog {
  /** The notes under "## Unreleased", trimmed ('' when there are none). */
  unreleased: string;
  /** Newest first, as written. */
  releases: ChangelogRelease[];
}

const UNRELEASED = /^## Unreleased[ \t]*$/m;
const RELEASE = /^## ([0-9]+\.[0-9]+\.[0-9]+) - ([0-9]{4}-[0-9]{2}-[0-9]{2})[ \t]*$/gm;

export function changelogFile(contractFile: string): string {
  return contractFile.replace(/\.yaml$/, '.changelog.md');
}

export function parseChangelog(text: string): Changelog {
  const headings = [...text.matchAll(/^## .*$/gm)].map((m) => m.index);
  const section = (start: number) => {
    const next = headings.find((h) => h > start);
    return text.slice(text.indexOf('\n', start) + 1, next ?? text.length).trim();
  };
  const unreleasedAt = UNRELEASED.exec(text)?.index;
  return {
    unreleased: unreleasedAt === undefined ? '' : section(unreleasedAt),
    releases: [...text.matchAll(RELEASE)].map((m) => ({ version: m[1], date: m[2], notes: section(m.index) })),
  };
}

/** Moves the Unreleased notes under a new release heading, leaving an empty Unreleased section. */
export function stampRelease(text: string, version: string, date: string): string {
  const m = UNRELEASED.exec(text);
  if (!m) throw new Error('the changelog has no "## Unreleased" section');
  return `${text.slice(0, m.index)}## Unreleased\n\n## ${version} - ${date}${text.slice(m.index + m[0].length)}`;
}

/** The date of the newest release, if any. */
export function lastChanged(text: string): string | undefined {
  return parseChangelog(text).releases[0]?.date;
}
