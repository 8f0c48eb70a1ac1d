/** Types of scripts/build.mjs for the TypeScript code that imports it (the benchmark). */
export declare const repositoryRoot: string;
export declare const SERVICE_ENTRIES: Readonly<Record<string, string>>;
export declare function buildEntries(
  entries: Readonly<Record<string, string>>,
  outputDirectory: string,
  options?: { withMigrations?: boolean },
): Promise<string>;
