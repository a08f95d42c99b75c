// Writes a generated git history in one `git fast-import` (one pack, as in a clone), with fixed dates.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';

const IDENTITY = 'bench <bench@example.com>';
// 2026-01-01T00:00:00Z; commit c is dated a minute after commit c - 1.
const EPOCH = 1767225600;

/** A fast-import `data` command; its length is in bytes. */
const data = (text) => `data ${Buffer.byteLength(text)}\n${text}\n`;

/**
 * Creates the repository `dir` with one commit on main per entry of `commits` (`message`, and
 * `files`: each path it adds or changes with its content), checks it out and returns the commit ids,
 * oldest first.
 */
export function writeHistory(dir, commits) {
  const stream = commits.map(({ message, files }, index) => {
    const date = `${EPOCH + index * 60} +0000`;
    const header = `commit refs/heads/main\nauthor ${IDENTITY} ${date}\ncommitter ${IDENTITY} ${date}\n${data(message)}`;
    return header + files.map(([path, text]) => `M 100644 inline ${path}\n${data(text)}`).join('');
  });
  const git = (args, input) =>
    execFileSync('git', args, {
      cwd: dir,
      input,
      encoding: 'utf8',
      maxBuffer: 1 << 30,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' },
    });
  mkdirSync(dir, { recursive: true });
  git(['init', '-q', '-b', 'main']);
  git(['config', 'user.email', 'bench@example.com']);
  git(['config', 'user.name', 'bench']);
  git(['config', 'commit.gpgsign', 'false']);
  git(['fast-import', '--quiet', '--done', '--date-format=raw'], Buffer.from(`${stream.join('')}done\n`));
  // Populate the index and the working tree from HEAD (nx and turbo read the checked-out files).
  git(['reset', '-q', '--hard', 'main']);
  const shas = git(['rev-list', '--reverse', 'main']).trim().split('\n');
  if (shas.length !== commits.length)
    throw new Error(`expected ${commits.length} commits, git has ${shas.length}`);
  return shas;
}
