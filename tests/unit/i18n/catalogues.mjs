// Reads the client's message catalogues (client/src/i18n/<locale>.ts, English with its spread
// en-*.ts files) and prints, as JSON, for each locale every message's ICU parse: the argument names
// it uses, or the parse error. tests/unit/i18n/test_catalogues.py judges the result.
// Usage: node tests/unit/i18n/catalogues.mjs en es fr ar zh
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const client = resolve(import.meta.dirname, '../../../client');
const fromClient = createRequire(join(client, 'package.json'));
const vite = fromClient.resolve('vite');
const { rolldown } = await import(pathToFileURL(createRequire(vite).resolve('rolldown')).href);
// The parser intl-messageformat (and so i18next-icu) uses at run time.
const fromIcu = createRequire(fromClient.resolve('intl-messageformat'));
const { parse, TYPE } = await import(
  pathToFileURL(fromIcu.resolve('@formatjs/icu-messageformat-parser')).href
);

/** Argument names of a parsed message, nested plural/select branches included. */
function argumentsOf(elements, names = new Set()) {
  for (const element of elements) {
    if (element.type === TYPE.literal || element.type === TYPE.pound) continue;
    if (element.type === TYPE.tag) {
      argumentsOf(element.children, names);
      continue;
    }
    names.add(element.value);
    if (element.options) {
      for (const option of Object.values(element.options)) argumentsOf(option.value, names);
    }
  }
  return names;
}

/** Plural branches' categories, so a catalogue can be checked against its language's rules. */
function pluralCategories(elements, found = []) {
  for (const element of elements) {
    if (element.type === TYPE.plural) {
      found.push(Object.keys(element.options));
      for (const option of Object.values(element.options)) pluralCategories(option.value, found);
    } else if (element.type === TYPE.select) {
      for (const option of Object.values(element.options)) pluralCategories(option.value, found);
    }
  }
  return found;
}

const dir = mkdtempSync(join(tmpdir(), 'careverse-i18n-'));
const result = {};
try {
  for (const locale of process.argv.slice(2)) {
    const file = join(dir, `${locale}.mjs`);
    const bundle = await rolldown({ input: join(client, 'src/i18n', `${locale}.ts`) });
    await bundle.write({ file, format: 'es' });
    const messages = (await import(pathToFileURL(file).href)).default;
    const parsed = {};
    for (const [key, message] of Object.entries(messages)) {
      if (typeof message !== 'string') {
        parsed[key] = { error: `not a string but ${typeof message}` };
        continue;
      }
      try {
        const ast = parse(message, { ignoreTag: true, requiresOtherClause: true });
        parsed[key] = {
          arguments: [...argumentsOf(ast)].sort(),
          plurals: pluralCategories(ast),
        };
      } catch (error) {
        parsed[key] = { error: String(error.message ?? error) };
      }
    }
    // The CLDR plural categories of the language (zh: other; ar: zero one two few many other).
    const language = locale === 'zh' ? 'zh-Hans' : locale;
    const categories = new Intl.PluralRules(language).resolvedOptions().pluralCategories;
    result[locale] = { messages: parsed, pluralCategories: categories };
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify(result));
