/**
 * `spamops sms send <user> <text...>` and `spamops sms import <file>`: write messages into users'
 * inboxes from the command line. The store records each message's change with it, so a running
 * `spamops serve` gives them their v2 features within seconds (its feature step follows the change
 * log; with the stream on, the change goes through NATS); with no server running, the next start does.
 */
import { Command, InvalidArgumentError } from 'commander';
import { GROUPS } from '../groups';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { messageTimeProblem, newTimeUuid, smsIdProblem, strictUtf8, timeUuidOf, utf8Problem } from '../../platform';
import type { SmsMessage } from '../../storage';
import { CliError, note, out, withEngines } from '../context';

// lengths in characters (code points), as the API's schema counts them: 100 emoji are 100, not 200
const USER = /^[^/\s]{1,100}$/u;
const chars = (s: string) => [...s].length;

/**
 * What is wrong with a text field, or undefined: the API's bounds in characters, and text that is
 * Unicode (a lone surrogate from a \u escape; in the shell's arguments, U+FFFD, the mark bytes that
 * were not UTF-8 leave). It stored an empty message and such text changed, where POST /sms refuses.
 */
function textProblem(s: string, max: number, fromShell = false): string | undefined {
  const n = chars(s);
  if (n < 1 || n > max) return `expected 1-${max} characters, got ${n}`;
  if (!s.isWellFormed()) return 'holds a lone UTF-16 surrogate (a \\ud800-style escape): not Unicode text';
  // a file is read as strict UTF-8 (its U+FFFD is one it holds); the shell's arguments are not
  if (fromShell && s.includes('\uFFFD')) return 'holds U+FFFD, the mark of bytes that were not UTF-8: give the text as UTF-8';
  return undefined;
}
const NEXT = 'a running `spamops serve` pushes their v2 features within seconds (change data capture), else the next one does';

const userArg = (name: string) => (raw: string) => {
  if (!USER.test(raw)) throw new InvalidArgumentError(`${name}: expected 1-100 characters without / or spaces, got "${raw}"`);
  return raw;
};
const senderArg = (raw: string) => {
  const problem = textProblem(raw, 100, true);
  if (problem) throw new InvalidArgumentError(`--from: ${problem}`);
  return raw;
};

const send = new Command('send')
  .description("write one message into a user's inbox (as POST /sms/{user})")
  .argument('<user>', 'the recipient', userArg('<user>'))
  .argument('<text...>', 'the message (1-2000 characters)')
  .requiredOption('--from <sender>', 'the sender', senderArg)
  .action(async (user: string, words: string[], o: { from: string }, cmd: Command) => {
    const text = words.join(' ');
    const problem = textProblem(text, 2000, true);
    if (problem) throw new CliError(`<text>: ${problem}`);
    await withEngines(cmd, async (e) => {
      const sms_id = newTimeUuid();
      await e.storage.users.insert({ user_id: user, sms_id, sender_id: o.from, sms_text: text });
      out(`stored ${user}/${sms_id}; ${NEXT}`);
    });
  });

/** one line of an import: the recipient from the line or --user; the id kept when given, else derived from date_sent and the content, else new */
function parseLine(raw: unknown, where: string, user: string | undefined): SmsMessage {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw new CliError(`${where}: expected an object {user_id, sender_id, sms_text, sms_id?, date_sent?}`);
  const r = raw as Record<string, unknown>;
  const user_id = r.user_id ?? user;
  if (typeof user_id !== 'string' || !USER.test(user_id))
    throw new CliError(`${where}: user_id: expected 1-100 characters without / or spaces (or pass --user)`);
  if (typeof r.sender_id !== 'string') throw new CliError(`${where}: sender_id: expected 1-100 characters`);
  const senderProblem = textProblem(r.sender_id, 100);
  if (senderProblem) throw new CliError(`${where}: sender_id: ${senderProblem}`);
  if (typeof r.sms_text !== 'string') throw new CliError(`${where}: sms_text: expected 1-2000 characters`);
  const textIssue = textProblem(r.sms_text, 2000);
  if (textIssue) throw new CliError(`${where}: sms_text: ${textIssue}`);
  let sms_id: string;
  if (r.sms_id !== undefined) {
    if (typeof r.sms_id !== 'string') throw new CliError(`${where}: sms_id: expected a TimeUUID (version-1 UUID)`);
    const problem = smsIdProblem(r.sms_id);
    if (problem) throw new CliError(`${where}: sms_id: ${problem}`);
    sms_id = r.sms_id.toLowerCase();
  } else if (r.date_sent !== undefined) {
    const d = new Date(String(r.date_sent));
    if (Number.isNaN(d.getTime())) throw new CliError(`${where}: date_sent: expected an ISO 8601 date, got "${String(r.date_sent)}"`);
    const problem = messageTimeProblem(d.getTime());
    if (problem) throw new CliError(`${where}: date_sent: ${problem}`);
    // the same line imported again gets the same id: nothing new
    sms_id = timeUuidOf(d.getTime(), `${user_id}\n${r.sender_id}\n${r.sms_text}`);
  } else sms_id = newTimeUuid();
  return { user_id, sms_id, sender_id: r.sender_id, sms_text: r.sms_text };
}

const CHUNK = 500;

const importInbox = new Command('import')
  .description(
    'write the messages of a JSON file (an array, or one object per line) into inboxes; lines with sms_id or date_sent keep their id, so importing them again adds nothing',
  )
  .argument('<file>', 'objects {user_id, sender_id, sms_text, sms_id?, date_sent?}')
  .option('--user <user>', 'the recipient of lines without user_id', userArg('--user'))
  .action(async (file: string, o: { user?: string }, cmd: Command) => {
    if (!existsSync(file)) throw new CliError(`no such file: ${file}`);
    if (statSync(file).isDirectory()) throw new CliError(`${file} is a directory: give a JSON file`);
    const bytes = readFileSync(file);
    const body = strictUtf8(bytes);
    // read leniently, bytes that are not UTF-8 became U+FFFD in the stored text
    if (body === undefined) throw new CliError(`${file} ${(utf8Problem(bytes)?.detail ?? 'is not UTF-8 text').replace('send the text', 'save the file')}`);
    let rows: unknown[];
    try {
      rows = body.trimStart().startsWith('[')
        ? (JSON.parse(body) as unknown[])
        : body
            .split('\n')
            .map((l, i) => [l, i] as const)
            .filter(([l]) => l.trim())
            .map(([l, i]) => {
              try {
                return JSON.parse(l) as unknown;
              } catch (e) {
                throw new CliError(`${file}: line ${i + 1} is not JSON: ${(e as Error).message}`);
              }
            });
    } catch (e) {
      if (e instanceof CliError) throw e;
      throw new CliError(`${file} is not JSON: ${(e as Error).message}`);
    }
    const isArray = body.trimStart().startsWith('[');
    const where = (i: number) => `${file}: ${isArray ? 'entry' : 'line'} ${i + 1}`;
    const messages = rows.map((r, i) => parseLine(r, where(i), o.user));
    // lines of one file sharing an sms_id between users: the first keeps it (the store refuses the
    // others too, but within one chunk only the file's order says which came first)
    const firstUser = new Map<string, string>();
    await withEngines(cmd, async (e) => {
      const counts = { inserted: 0, present: 0, refused: 0 };
      const refuse = (i: number, why: string) => {
        counts.refused += 1;
        if (counts.refused <= 20) note(`  ${where(i)}: ${messages[i].user_id}/${messages[i].sms_id}: ${why}`);
      };
      for (let i = 0; i < messages.length; i += CHUNK) {
        const chunk: number[] = [];
        for (let k = i; k < Math.min(i + CHUNK, messages.length); k++) {
          const holder = firstUser.get(messages[k].sms_id);
          if (holder !== undefined && holder !== messages[k].user_id)
            refuse(k, `sms_id is held by ${holder}'s message in this file (unique across every inbox); not stored`);
          else {
            firstUser.set(messages[k].sms_id, messages[k].user_id);
            chunk.push(k);
          }
        }
        const outcomes = await e.storage.users.insertMany(chunk.map((k) => messages[k]));
        for (const [j, oc] of outcomes.entries()) {
          if (oc === 'inserted' || oc === 'present') counts[oc] += 1;
          else if (oc === 'conflict') refuse(chunk[j], 'another message of this user holds this id; not overwritten');
          else refuse(chunk[j], "another user's message holds this sms_id (unique across every inbox); not stored");
        }
      }
      if (counts.refused > 20) note(`  … and ${counts.refused - 20} more refused`);
      out(`imported ${counts.inserted} messages into inboxes (${counts.present} there already, ${counts.refused} refused); ${NEXT}`);
    });
  });

export const smsCommand = new Command('sms')
  .helpGroup(GROUPS.inbox)
  .description("users' inboxes: send <user> <text...> --from <sender>, import <file>; the features follow by change data capture")
  .addCommand(send)
  .addCommand(importInbox);
