// The Merkle root of an import run's manifest (docs/chain-of-custody.md): the Merkle Tree Hash of
// RFC 6962 section 2.1 (Certificate Transparency), over the messages' SHA-256 digests, sorted
// ascending, each once. Leaf hash SHA-256(0x00 || digest), node hash SHA-256(0x01 || left || right);
// a tree of n leaves splits at the largest power of two below n (no duplicated or promoted leaf),
// and the empty tree's hash is SHA-256 of nothing. Hand-written (20 lines over node:crypto): the
// Merkle libraries on npm build other trees by default (no 0x00/0x01 prefixes, odd leaves copied),
// whose roots a reader following the RFC would not reproduce.
import { createHash } from 'node:crypto';

export const MERKLE_CONSTRUCTION = 'rfc6962-sha256 over sorted unique message sha256 digests';

const LEAF = Buffer.from([0x00]);
const NODE = Buffer.from([0x01]);

function sha256(...parts: Buffer[]): Buffer {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
}

/**
 * Builds the root as leaves arrive, in memory proportional to log2(n): a stack of complete
 * subtrees, merged when two of the same size meet (the compact range of a CT log). Leaves must be
 * added in ascending order without repeats; the caller (SQL ORDER BY over hex, which sorts as the
 * bytes do) guarantees it and `add` checks it.
 */
export class MerkleRootBuilder {
  private readonly stack: { size: number; hash: Buffer }[] = [];
  private last: string | null = null;
  count = 0;

  add(sha256Hex: string): void {
    if (!/^[0-9a-f]{64}$/.test(sha256Hex)) throw new Error(`not a lower-case hex SHA-256: ${sha256Hex}`);
    if (this.last !== null && sha256Hex <= this.last) throw new Error('manifest leaves must be added in ascending order, once each');
    this.last = sha256Hex;
    this.count++;
    let node = { size: 1, hash: sha256(LEAF, Buffer.from(sha256Hex, 'hex')) };
    while (this.stack.length && this.stack.at(-1)!.size === node.size) {
      const left = this.stack.pop()!;
      node = { size: left.size * 2, hash: sha256(NODE, left.hash, node.hash) };
    }
    this.stack.push(node);
  }

  /** Hex root: the remaining subtrees folded from the right, as RFC 6962's recursive split gives. */
  root(): string {
    if (!this.stack.length) return sha256().toString('hex');
    let hash = this.stack.at(-1)!.hash;
    for (let i = this.stack.length - 2; i >= 0; i--) hash = sha256(NODE, this.stack[i]!.hash, hash);
    return hash.toString('hex');
  }
}
