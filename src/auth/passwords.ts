import { randomBytes } from 'node:crypto';
import { hash, verify, type Algorithm, type Options } from '@node-rs/argon2';

/**
 * `Algorithm` is a TypeScript const enum, and @node-rs/argon2 2.2 exports it
 * as an empty object at run time, so the member is written as its value.
 */
const ARGON2ID = 2 as Algorithm;

/**
 * Argon2id with the minimum parameters of the OWASP Password Storage Cheat
 * Sheet (https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html):
 * 19 MiB of memory, an iteration count of 2 and 1 degree of parallelism.
 */
export const ARGON2_OPTIONS: Readonly<Options> = Object.freeze({
  algorithm: ARGON2ID,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
  outputLen: 32,
});

/**
 * Hashes and verifies passwords. `verifyUnknownUser` spends the same work as
 * a real check against a hash made once at start, so a login for a missing
 * account takes about as long as a login with a wrong password.
 */
export class PasswordHasher {
  readonly #dummyHash: string;

  private constructor(dummyHash: string) {
    this.#dummyHash = dummyHash;
  }

  static async create(): Promise<PasswordHasher> {
    return new PasswordHasher(await hash(randomBytes(32), ARGON2_OPTIONS));
  }

  hash(password: string): Promise<string> {
    return hash(password, ARGON2_OPTIONS);
  }

  /** Checks `password` against a stored PHC hash string. A malformed hash rejects with the library's error. */
  verify(passwordHash: string, password: string): Promise<boolean> {
    return verify(passwordHash, password);
  }

  /** Runs a verification that always fails, for a login whose account does not exist. */
  async verifyUnknownUser(password: string): Promise<false> {
    await this.verify(this.#dummyHash, password);
    return false;
  }
}
