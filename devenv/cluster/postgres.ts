import fs from 'node:fs';
import path from 'node:path';
import { freePort } from '../free-port';
import { atExit, runCommand } from './processes';

/** PostgreSQL's server programs (initdb, pg_ctl) are not on this machine. */
export class PostgresNotInstalledError extends Error {
  override readonly name = 'PostgresNotInstalledError';
  constructor(readonly searched: readonly string[]) {
    super(
      `PostgreSQL's server programs (initdb, pg_ctl) were not found in ${searched.join(', ')}. ` +
        'Install them: `apt-get install postgresql` on Debian or Ubuntu (`brew install postgresql` on macOS).'
    );
  }
}

/** `pg_ctl start` failed; the message ends with the server's own log. */
export class PostgresStartError extends Error {
  override readonly name = 'PostgresStartError';
  constructor(
    readonly logFile: string,
    cause: unknown
  ) {
    let tail = '';
    try {
      tail = fs.readFileSync(logFile, 'utf8').trim().split('\n').slice(-10).join('\n');
    } catch {
      // no log written: pg_ctl's own output in the cause says why
    }
    super(`PostgreSQL did not start (${(cause as Error).message}).${tail ? ` The end of ${logFile}:\n${tail}` : ''}`, {
      cause,
    });
  }
}

/** PostgreSQL cannot run as root, and the `postgres` account it then runs as cannot reach the folder. */
export class PostgresFolderError extends Error {
  override readonly name = 'PostgresFolderError';
}

export interface StartPostgresOptions {
  /**
   * The folder PostgreSQL keeps everything in: `data/`, `postgres.log` and its unix socket. Reused
   * when it holds a database. As root, its parent is opened for passage (o+x, not listing) so the
   * `postgres` account can reach it.
   */
  dir: string;
  log?: (line: string) => void;
}

/** A PostgreSQL instance this process started with `pg_ctl`. */
export interface Postgres {
  host: string;
  port: number;
  /** The superuser initdb created; the instance trusts every connection from 127.0.0.1 and the socket. */
  user: string;
  dataDir: string;
  logFile: string;
  /** Milliseconds from the call to a server that accepts connections (including initdb on a first start). */
  startMs: number;
  /** True when this start ran initdb; false when it reused the folder's database. */
  created: boolean;
  /** `pg_ctl stop -m fast`: disconnects clients, shuts down cleanly, waits for it. */
  stop(): Promise<void>;
}

const host = '127.0.0.1';
const superuser = 'temporal';
/** A unix socket path (`<dir>/.s.PGSQL.<port>`) longer than this does not fit in sockaddr_un. */
const maxSocketPath = 100;

/** The newest `/usr/lib/postgresql/<version>/bin` (Debian's layout), else whatever is on PATH. */
function findBinDir(): string {
  const searched: string[] = [];
  const debianRoot = '/usr/lib/postgresql';
  const versions = fs.existsSync(debianRoot)
    ? fs
        .readdirSync(debianRoot)
        .filter((entry) => /^\d+(\.\d+)?$/.test(entry))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  for (const version of versions) {
    const bin = path.join(debianRoot, version, 'bin');
    if (fs.existsSync(path.join(bin, 'initdb')) && fs.existsSync(path.join(bin, 'pg_ctl'))) return bin;
    searched.push(bin);
  }
  if (versions.length === 0) searched.push(`${debianRoot}/<version>/bin`);
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && fs.existsSync(path.join(dir, 'initdb')) && fs.existsSync(path.join(dir, 'pg_ctl'))) return dir;
  }
  searched.push('PATH');
  throw new PostgresNotInstalledError(searched);
}

/**
 * initdb refuses to run as root (a database server should not own the machine), so as root we
 * run every PostgreSQL program as the `postgres` account Debian's package creates, through
 * runuser; as anyone else, as that user.
 */
async function runAs(): Promise<{
  wrap: (cmd: string, args: string[]) => [string, string[]];
  uid?: number;
  gid?: number;
}> {
  if (process.getuid?.() !== 0) return { wrap: (cmd, args) => [cmd, args] };
  const id = async (flag: string): Promise<number> => {
    try {
      return Number((await runCommand('id', [flag, 'postgres'])).trim());
    } catch (err) {
      throw new PostgresFolderError(
        'PostgreSQL cannot run as root and there is no `postgres` account to run it as. ' +
          "Install Debian's package (`apt-get install postgresql` creates the account) or run as a user other than root.",
        { cause: err }
      );
    }
  };
  return {
    wrap: (cmd, args) => ['runuser', ['-u', 'postgres', '--', cmd, ...args]],
    uid: await id('-u'),
    gid: await id('-g'),
  };
}

/** The settings that change from one start to the next (the port); postgresql.conf includes this file. */
function writeStartSettings(dataDir: string, dir: string, port: number): void {
  // a socket path too long for the kernel would stop the server from starting; TCP alone is enough for us
  const socketDir = path.join(dir, `.s.PGSQL.${port}`).length <= maxSocketPath ? dir : '';
  fs.writeFileSync(
    path.join(dataDir, 'scenegate.conf'),
    [
      `listen_addresses = '${host}'`,
      `port = ${port}`,
      `unix_socket_directories = '${socketDir.replaceAll("'", "''")}'`,
      '',
    ].join('\n')
  );
}

/**
 * Starts PostgreSQL in a folder of its own on a free 127.0.0.1 port: initdb the first time, then
 * `pg_ctl start`. pg_ctl detaches the server from us, so a hook stops it (fast shutdown) if this
 * process exits without calling `stop()`.
 *
 * @throws PostgresNotInstalledError, PostgresFolderError, PostgresStartError, or CommandFailedError from initdb.
 */
export async function startPostgres(options: StartPostgresOptions): Promise<Postgres> {
  const log = options.log ?? (() => undefined);
  const began = Date.now();
  const bin = findBinDir();
  const dir = path.resolve(options.dir);
  const dataDir = path.join(dir, 'data');
  const logFile = path.join(dir, 'postgres.log');
  const { wrap, uid, gid } = await runAs();
  // PostgreSQL's programs fail when they cannot read their working folder (ours may be under /root)
  const pg = (program: string, args: string[]): Promise<string> => {
    const [cmd, argv] = wrap(path.join(bin, program), args);
    return runCommand(cmd, argv, { cwd: dir });
  };

  fs.mkdirSync(dir, { recursive: true });
  if (uid !== undefined && gid !== undefined) {
    fs.chownSync(dir, uid, gid);
    // the parent is the cluster's own folder; let the postgres account pass through it (not list it)
    const parent = path.dirname(dir);
    fs.chmodSync(parent, fs.statSync(parent).mode | 0o011);
    try {
      await runCommand('runuser', ['-u', 'postgres', '--', 'test', '-w', dir]);
    } catch (err) {
      throw new PostgresFolderError(
        `The postgres account cannot write to ${dir}: a folder above it is closed to other users. ` +
          'Start the cluster in a folder outside /root (for example under /tmp or /var/tmp), or open the folders above it with chmod o+x.',
        { cause: err }
      );
    }
  }

  const created = !fs.existsSync(path.join(dataDir, 'PG_VERSION'));
  if (created) {
    log(`PostgreSQL: initdb ${dataDir}`);
    await pg('initdb', ['-D', dataDir, '-U', superuser, '--auth=trust', '--encoding=UTF8', '--locale=C']);
    fs.appendFileSync(path.join(dataDir, 'postgresql.conf'), "\ninclude_if_exists = 'scenegate.conf'\n");
  }
  const port = await freePort(host);
  writeStartSettings(dataDir, dir, port);
  await pg('pg_ctl', ['start', '-D', dataDir, '-l', logFile, '-w', '-t', '120']).catch((err: unknown) => {
    throw new PostgresStartError(logFile, err);
  });
  // pg_ctl started the postmaster in a session of its own; its pid heads postmaster.pid
  const postmasterPid = Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const removeExitHook = atExit(() => {
    try {
      process.kill(postmasterPid, 'SIGINT'); // fast shutdown, finished by the server after we are gone
    } catch {
      // already stopped
    }
  });
  log(`PostgreSQL from ${bin} on ${host}:${port} (data ${dataDir}, log ${logFile})`);

  let stopped = false;
  return {
    host,
    port,
    user: superuser,
    dataDir,
    logFile,
    created,
    startMs: Date.now() - began,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      removeExitHook();
      await pg('pg_ctl', ['stop', '-D', dataDir, '-m', 'fast', '-w', '-t', '60']);
    },
  };
}
