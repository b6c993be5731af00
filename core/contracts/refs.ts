// Follows local `$ref`s (`#/components/…`) inside a bundled contract: how the SDK generator, the
// partner mock and their tests read an operation's parameters and responses.
type Node = Record<string, unknown>;

export interface ResolvedRef {
  node: Node;
  /** JSON pointer of the node in the document: the last `$ref` followed, else the pointer given. */
  pointer: string;
}

/** The node a value stands for once its `$ref`s are followed (an empty object for undefined). */
export function resolveLocalRef(document: Node, value: unknown, pointer = ''): ResolvedRef {
  const node = (value ?? {}) as Node;
  if (typeof node.$ref !== 'string' || !node.$ref.startsWith('#/')) return { node, pointer };
  const target = node.$ref
    .slice(2)
    .split('/')
    .reduce<unknown>((at, segment) => (at as Node | undefined)?.[segment.replace(/~1/g, '/').replace(/~0/g, '~')], document);
  return resolveLocalRef(document, target, node.$ref.slice(1));
}
