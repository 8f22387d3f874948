/**
 * A real database tier on 127.0.0.1 for tests and benchmarks: etcd, two or three PostgreSQL nodes
 * under Patroni (streaming replication, `synchronous_mode` as asked) and HAProxy routing a primary
 * port and a replica port by Patroni's REST health checks. Each has its own ports and data
 * directory under one temporary directory; `stop` kills everything and removes it. PostgreSQL runs
 * as the `postgres` system user when this process is root (it refuses to run as root).
 *
 * Installed from Debian's packages by .ci/run (patroni, etcd-server, haproxy); `clusterSkip` says why
 * a test cannot run where they are missing.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { packageRoot } from '../../src/package-root.js';

const PG_BIN = ['17', '16', '15'].map((v) => `/usr/lib/postgresql/${v}/bin`).find((dir) => existsSync(`${dir}/postgres`));
const TOOLS = { patroni: '/usr/bin/patroni', etcd: '/usr/bin/etcd', haproxy: '/usr/sbin/haproxy' };

/** Why the cluster cannot start here, or false. */
export function clusterMissing(): string | false {
  const missing = Object.entries(TOOLS)
    .filter(([, file]) => !existsSync(file))
    .map(([name]) => name);
  if (PG_BIN === undefined) missing.push('postgresql');
  return missing.length === 0 ? false : `needs ${missing.join(', ')} (Debian packages; .ci/run installs them)`;
}

/** docs/cluster/<name> with each `${NAME}` replaced, as envsubst would; a name left unset is an error. */
export async function renderTemplate(name: string, values: Readonly<Record<string, string>>): Promise<string> {
  const template = await readFile(path.join(packageRoot, 'docs', 'cluster', name), 'utf8');
  return template.replace(/\$\{([A-Z_]+)\}/g, (_match, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`docs/cluster/${name}: \${${key}} has no value`);
    return value;
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface ClusterNode {
  readonly name: string;
  readonly pgPort: number;
  readonly restPort: number;
  readonly dataDir: string;
  process: ChildProcess | undefined;
}

export interface ClusterOptions {
  readonly nodes?: 2 | 3;
  readonly synchronous?: boolean;
  /** Patroni's `maximum_lag_on_failover` in bytes (default 1 MiB). */
  readonly maximumLagOnFailover?: number;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class PatroniCluster {
  readonly nodes: ClusterNode[] = [];
  private readonly processes: ChildProcess[] = [];
  private readonly log: string[] = [];
  primaryPort = 0;
  replicaPort = 0;
  private etcdPort = 0;

  private constructor(
    readonly dir: string,
    private readonly options: Required<ClusterOptions>,
  ) {}

  static async start(options: ClusterOptions = {}): Promise<PatroniCluster> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'footage-warden-cluster-'));
    const cluster = new PatroniCluster(dir, {
      nodes: options.nodes ?? 2,
      synchronous: options.synchronous ?? true,
      maximumLagOnFailover: options.maximumLagOnFailover ?? 1_048_576,
    });
    try {
      await cluster.boot();
    } catch (error) {
      await cluster.stop();
      throw new Error(`${(error as Error).message}\n${cluster.log.slice(-40).join('')}`);
    }
    return cluster;
  }

  /** postgres:// URL of the primary through HAProxy. */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.primaryPort}/postgres`;
  }

  /** postgres:// URL of the replicas through HAProxy. */
  get readUrl(): string {
    return `postgres://postgres@127.0.0.1:${this.replicaPort}/postgres`;
  }

  private asPostgres(): { uid?: number; gid?: number } {
    if (process.getuid?.() !== 0) return {};
    const line = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((entry) => entry.startsWith('postgres:'));
    const [, , uid, gid] = (line ?? '').split(':');
    return uid === undefined || gid === undefined ? {} : { uid: Number(uid), gid: Number(gid) };
  }

  private run(name: string, command: string, args: string[], user: { uid?: number; gid?: number } = {}): ChildProcess {
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...user,
      env: { ...process.env, LC_ALL: 'C.UTF-8' },
    });
    const keep = (chunk: Buffer) => {
      this.log.push(`[${name}] ${chunk.toString()}`);
      if (this.log.length > 4000) this.log.splice(0, 1000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.processes.push(child);
    return child;
  }

  private async boot(): Promise<void> {
    const user = this.asPostgres();
    if (user.uid !== undefined) await chown(this.dir, user.uid, user.gid as number);
    this.etcdPort = await freePort();
    const peerPort = await freePort();
    this.run('etcd', TOOLS.etcd, [
      '--name=etcd0',
      `--data-dir=${path.join(this.dir, 'etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${this.etcdPort}`,
      `--advertise-client-urls=http://127.0.0.1:${this.etcdPort}`,
      `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-cluster=etcd0=http://127.0.0.1:${peerPort}`,
      '--log-level=warn',
    ]);
    await this.until(async () => (await fetch(`http://127.0.0.1:${this.etcdPort}/health`)).ok, 20_000, 'etcd is healthy');
    for (let i = 0; i < this.options.nodes; i += 1) {
      const node: ClusterNode = {
        name: `pg${i}`,
        pgPort: await freePort(),
        restPort: await freePort(),
        dataDir: path.join(this.dir, `pg${i}`),
        process: undefined,
      };
      this.nodes.push(node);
      await this.writeNodeConfig(node);
    }
    // The first node bootstraps alone; the others then clone it.
    this.startNode(this.nodes[0] as ClusterNode);
    await this.until(async () => (await this.leader()) !== undefined, 60_000, 'a leader is elected');
    for (const node of this.nodes.slice(1)) this.startNode(node);
    await this.until(
      async () =>
        (await this.members()).filter((m) => m.state === 'streaming' || m.state === 'running').length === this.nodes.length,
      90_000,
      'every node runs',
    );
    if (this.options.synchronous) {
      await this.until(
        async () => (await this.members()).some((m) => m.role === 'sync_standby'),
        60_000,
        'a synchronous standby',
      );
    }
    this.primaryPort = await freePort();
    this.replicaPort = await freePort();
    await this.writeHaproxyConfig();
    this.run('haproxy', TOOLS.haproxy, ['-f', path.join(this.dir, 'haproxy.cfg'), '-db']);
    // HAProxy counts a server up until its first checks fail (fall 2, every 500 ms): wait past them.
    await sleep(2500);
    let inARow = 0;
    await this.until(
      async () => {
        inARow = (await this.answers(this.url, 'SELECT NOT pg_is_in_recovery() AS ok')) ? inARow + 1 : 0;
        return inARow >= 8;
      },
      30_000,
      'only the primary answers through HAProxy',
    );
  }

  private async writeNodeConfig(node: ClusterNode): Promise<void> {
    const user = this.asPostgres();
    const yaml = await renderTemplate('patroni.yml', {
      CLUSTER_NAME: 'footage-warden-test',
      NODE_NAME: node.name,
      NODE_HOST: '127.0.0.1',
      REST_PORT: String(node.restPort),
      PG_PORT: String(node.pgPort),
      ETCD_HOSTS: `127.0.0.1:${this.etcdPort}`,
      MAXIMUM_LAG_ON_FAILOVER: String(this.options.maximumLagOnFailover),
      SYNCHRONOUS: String(this.options.synchronous),
      AUTH_METHOD: 'trust',
      CLIENT_NETWORK: '127.0.0.1/32',
      CLUSTER_NETWORK: '127.0.0.1/32',
      DATA_DIR: node.dataDir,
      PG_BIN_DIR: PG_BIN as string,
      PGPASS_FILE: path.join(this.dir, `${node.name}.pgpass`),
      SUPERUSER_PASSWORD: 'unused-with-trust',
      REPLICATION_PASSWORD: 'unused-with-trust',
      SOCKET_DIR: this.dir,
    });
    const file = path.join(this.dir, `${node.name}.yml`);
    await writeFile(file, yaml);
    await mkdir(node.dataDir, { mode: 0o700 });
    if (user.uid !== undefined) {
      await chown(file, user.uid, user.gid as number);
      await chown(node.dataDir, user.uid, user.gid as number);
    }
    await chmod(node.dataDir, 0o700);
  }

  private async writeHaproxyConfig(): Promise<void> {
    const servers = this.nodes
      .map((node) => `  server ${node.name} 127.0.0.1:${node.pgPort} maxconn 200 check port ${node.restPort}`)
      .join('\n');
    const config = await renderTemplate('haproxy.cfg', {
      LISTEN_HOST: '127.0.0.1',
      PRIMARY_PORT: String(this.primaryPort),
      REPLICA_PORT: String(this.replicaPort),
      PRIMARY_SERVERS: servers,
      REPLICA_SERVERS: servers,
    });
    await writeFile(path.join(this.dir, 'haproxy.cfg'), config);
  }

  startNode(node: ClusterNode): void {
    node.process = this.run(node.name, TOOLS.patroni, [path.join(this.dir, `${node.name}.yml`)], this.asPostgres());
  }

  /** Kills a node's Patroni agent and its postmaster (SIGKILL): the machine is gone. */
  stopNode(node: ClusterNode): void {
    node.process?.kill('SIGKILL');
    const pid = this.postmasterPid(node);
    if (pid === undefined) return;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }

  /** The pid of a standby's startup (recovery) process: stopping it pauses replay, not receipt. */
  recoveryPid(node: ClusterNode): number | undefined {
    const postmaster = this.postmasterPid(node);
    if (postmaster === undefined) return undefined;
    const children = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(postmaster)], { encoding: 'utf8' });
    const line = children.split('\n').find((entry) => /startup/.test(entry));
    return line === undefined ? undefined : Number(line.trim().split(/\s+/)[0]);
  }

  async members(): Promise<{ name: string; role: string; state: string; lag?: number }[]> {
    for (const node of this.nodes) {
      try {
        const response = await fetch(`http://127.0.0.1:${node.restPort}/cluster`, { signal: AbortSignal.timeout(1000) });
        if (response.ok) return ((await response.json()) as { members: { name: string; role: string; state: string }[] }).members;
      } catch {
        // that node's agent is down; ask the next
      }
    }
    return [];
  }

  async leader(): Promise<ClusterNode | undefined> {
    const leader = (await this.members()).find((member) => member.role === 'leader' && member.state === 'running');
    return this.nodes.find((node) => node.name === leader?.name);
  }

  /** The postmaster's pid of a node, from its data directory. */
  postmasterPid(node: ClusterNode): number | undefined {
    try {
      return Number(readFileSync(path.join(node.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    } catch {
      return undefined;
    }
  }

  /** Whether `url` answers `query` (a one-row `ok` column) with true. */
  async answers(url: string, query = 'SELECT true AS ok'): Promise<boolean> {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      return (await client.query<{ ok: boolean }>(query)).rows[0]?.ok === true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  async until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        if (await check()) return;
      } catch {
        // not yet
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
      await sleep(200);
    }
  }

  /** The primary's durability settings, as the benches print them. */
  async settings(): Promise<string> {
    const client = new pg.Client({ connectionString: this.url });
    await client.connect();
    try {
      const result = await client.query(
        `SELECT current_setting('server_version') AS version, current_setting('fsync') AS fsync,
                current_setting('synchronous_commit') AS sc, current_setting('synchronous_standby_names') AS names`,
      );
      const row = result.rows[0];
      return `PostgreSQL ${row.version}, fsync=${row.fsync} synchronous_commit=${row.sc} synchronous_standby_names='${row.names}'`;
    } finally {
      await client.end();
    }
  }

  logTail(lines = 40): string {
    return this.log.slice(-lines).join('');
  }

  async stop(): Promise<void> {
    for (const child of this.processes.reverse()) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    // Postmasters outlive their killed Patroni agents.
    for (const node of this.nodes) {
      const pid = this.postmasterPid(node);
      if (pid !== undefined) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    await sleep(300);
    await rm(this.dir, { recursive: true, force: true });
  }
}
