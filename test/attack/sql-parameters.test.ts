/**
 * A guard against SQL injection: every SQL text passed to `query` or `exec`
 * in src/ is a literal, or a template whose every `${...}` is a constant
 * string of the same file or an entry reviewed below. User input can then
 * only reach the database as a bound parameter ($1, $2, ...). The check reads
 * the TypeScript syntax tree, so multi-line templates and SQL kept in a
 * variable are covered too.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { repositoryRoot } from '../support/processes.ts';

/** Interpolations that are not constants but were reviewed: file, name and why it is safe. */
const REVIEWED: Record<string, Record<string, string>> = {
  'src/auth/store.ts': { sql: 'count() receives fixed DELETE statements written in deleteExpired' },
  'src/common/database.ts': {
    schema: 'quoteIdentifier() accepts only [a-z][a-z0-9_]{0,62} and adds the quotes',
    sql: 'the Database implementation passes on the SQL text of its callers, which this test checks',
    statement: 'a statement of a migration file in the repository',
  },
  'src/common/test-support.ts': {
    authSchema: 'a test schema name made of a sanitised label and random hex',
    chatSchema: 'a test schema name made of a sanitised label and random hex',
  },
};

const SQL_METHODS = new Set(['query', 'exec']);
/** `exec` is also RegExp.prototype.exec, so it counts only on a database-like receiver. */
const DATABASE_RECEIVER = /(?:^|\.|#)(?:db|tx|pool|client|database)$/i;

function sourceFiles(folder: string, found: string[] = []): string[] {
  for (const entry of readdirSync(folder)) {
    const path = join(folder, entry);
    if (statSync(path).isDirectory()) sourceFiles(path, found);
    else if (path.endsWith('.ts') && !path.endsWith('.test.ts')) found.push(path);
  }
  return found;
}

/** Names bound to string constants: `const X = '...'`, a template without `${}`, or a choice between two such strings. */
function constantStrings(source: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  const isConstantText = (node: ts.Expression): boolean =>
    ts.isStringLiteral(node) ||
    ts.isNoSubstitutionTemplateLiteral(node) ||
    (ts.isConditionalExpression(node) && isConstantText(node.whenTrue) && isConstantText(node.whenFalse)) ||
    (ts.isParenthesizedExpression(node) && isConstantText(node.expression));
  const visit = (node: ts.Node) => {
    if (ts.isVariableDeclarationList(node) && node.flags & ts.NodeFlags.Const) {
      for (const declaration of node.declarations) {
        if (ts.isIdentifier(declaration.name) && declaration.initializer && isConstantText(declaration.initializer)) names.add(declaration.name.text);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return names;
}

interface Finding {
  file: string;
  line: number;
  problem: string;
}

function findUnsafeSql(name: string, text: string): Finding[] {
  const source = ts.createSourceFile(name, text, ts.ScriptTarget.Latest, true);
  const constants = constantStrings(source);
  const reviewed = REVIEWED[name] ?? {};
  const findings: Finding[] = [];
  const trusted = (expression: ts.Expression): boolean =>
    ts.isIdentifier(expression) && (constants.has(expression.text) || expression.text in reviewed);

  const visit = (node: ts.Node) => {
    const isSqlCall =
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      SQL_METHODS.has(node.expression.name.text) &&
      (node.expression.name.text === 'query' || DATABASE_RECEIVER.test(node.expression.expression.getText()));
    if (isSqlCall && ts.isCallExpression(node)) {
        const [sql] = node.arguments;
      const line = source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
      if (sql === undefined || ts.isStringLiteral(sql) || ts.isNoSubstitutionTemplateLiteral(sql)) {
        // A literal: nothing can be spliced in.
      } else if (ts.isTemplateExpression(sql)) {
        for (const span of sql.templateSpans) {
          if (!trusted(span.expression)) findings.push({ file: name, line, problem: `\${${span.expression.getText()}} is spliced into SQL` });
        }
      } else if (!trusted(sql)) {
        findings.push({ file: name, line, problem: `SQL comes from ${sql.getText()}` });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return findings;
}

test('SQL takes user input only as parameters', () => {
  const files = sourceFiles(join(repositoryRoot, 'src'));
  assert.ok(files.length > 20, 'the source folder was not found');
  const findings = files.flatMap((file) => findUnsafeSql(relative(repositoryRoot, file), readFileSync(file, 'utf8')));
  assert.deepEqual(findings, [], findings.map((finding) => `${finding.file}:${finding.line} ${finding.problem}`).join('\n'));
});

test('guard catches spliced input', () => {
  // Never run: a sample of what the check must reject, and one use it must accept.
  const unsafe = [
    'const name = request.body.name;',
    "db.query(`SELECT * FROM users WHERE username = '${name}'`);",
    "db.query('SELECT 1 WHERE x = ' + name);",
    "const fixed = 'id, username';",
    'db.query(`SELECT ${fixed} FROM users WHERE id = $1`, [name]);',
    'const text = `DELETE FROM users WHERE id = ${name}`;',
    'tx.exec(text);',
  ].join('\n');
  const findings = findUnsafeSql('sample.ts', unsafe);
  assert.deepEqual(
    findings.map((finding) => [finding.line, finding.problem]),
    [
      [2, '${name} is spliced into SQL'],
      [3, "SQL comes from 'SELECT 1 WHERE x = ' + name"],
      [7, 'SQL comes from text'],
    ],
  );
});
