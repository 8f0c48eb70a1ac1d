/**
 * Runs the real nginx with the deployment's server template. The template is
 * rendered the way the nginx image renders it (envsubst of named variables).
 * A main configuration around it keeps the pid file, logs and temporary
 * files in a folder of the test's own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repositoryRoot, waitFor } from '../support/processes.ts';

export const NGINX_BINARY = '/usr/sbin/nginx';
export const TEMPLATE_PATH = join(repositoryRoot, 'deploy/nginx/templates/default.conf.template');

/** Replaces `${NAME}` for each given variable, as envsubst does, and fails on any variable left unset. */
export function renderTemplate(template: string, variables: Record<string, string>): string {
  const rendered = template.replace(/\$\{([A-Z_][A-Z0-9_]*)\}/g, (whole, name: string) => variables[name] ?? whole);
  const missing = rendered.match(/\$\{[A-Z_][A-Z0-9_]*\}/g);
  if (missing) throw new Error(`template variables without a value: ${[...new Set(missing)].join(', ')}`);
  return rendered;
}

export interface NginxOptions {
  port: number;
  gatewayPorts: number[];
  authPort: number;
  chatPort: number;
  webRoot: string;
}

export class NginxProcess {
  readonly directory: string;
  readonly url: string;
  readonly #child: ChildProcess;

  private constructor(directory: string, port: number, child: ChildProcess) {
    this.directory = directory;
    this.url = `http://127.0.0.1:${port}`;
    this.#child = child;
  }

  /** Renders the configuration, starts nginx in the foreground and waits until it responds, within 15 s. */
  static async start(options: NginxOptions): Promise<NginxProcess> {
    const directory = mkdtempSync(join(tmpdir(), 'ms-nginx-'));
    const server = renderTemplate(readFileSync(TEMPLATE_PATH, 'utf8'), {
      LISTEN_PORT: `127.0.0.1:${options.port}`,
      GATEWAY_SERVERS: options.gatewayPorts.map((port) => `server 127.0.0.1:${port} max_fails=1 fail_timeout=5s;`).join('\n    '),
      AUTH_SERVICE_ADDRESS: `127.0.0.1:${options.authPort}`,
      CHAT_SERVICE_ADDRESS: `127.0.0.1:${options.chatPort}`,
      WEB_ROOT: options.webRoot,
      FORWARDED_PROTO: '$scheme',
    });
    writeFileSync(join(directory, 'default.conf'), server);
    for (const folder of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(directory, folder));
    const mimeTypes = existsSync('/etc/nginx/mime.types') ? 'include /etc/nginx/mime.types;' : 'types { text/html html; application/javascript js; text/css css; }';
    // Started as root, nginx would switch its workers to "nobody", which cannot enter this 0700 folder.
    const user = process.getuid?.() === 0 ? 'user root;' : '';
    writeFileSync(
      join(directory, 'nginx.conf'),
      `${user}
worker_processes 1;
daemon off;
pid ${join(directory, 'nginx.pid')};
error_log ${join(directory, 'error.log')} info;
events { worker_connections 256; }
http {
    ${mimeTypes}
    default_type application/octet-stream;
    client_body_temp_path ${join(directory, 'client_body')};
    proxy_temp_path ${join(directory, 'proxy')};
    fastcgi_temp_path ${join(directory, 'fastcgi')};
    uwsgi_temp_path ${join(directory, 'uwsgi')};
    scgi_temp_path ${join(directory, 'scgi')};
    sendfile on;
    keepalive_timeout 65;
    include ${join(directory, 'default.conf')};
}
`,
    );
    // The template logs to /dev/stdout, which nginx cannot open on the socket Node uses for a piped stdout; a file works.
    const output = openSync(join(directory, 'output.log'), 'a');
    const child = spawn(NGINX_BINARY, ['-p', directory, '-e', join(directory, 'error.log'), '-c', join(directory, 'nginx.conf')], {
      stdio: ['ignore', output, output],
    });
    closeSync(output);
    const nginx = new NginxProcess(directory, options.port, child);
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code) => reject(new Error(`nginx exited with code ${code} during start:\n${nginx.output()}\n${nginx.errorLog()}`))),
    );
    exited.catch(() => {});
    await Promise.race([waitFor(`${nginx.url}/nginx-ready-probe`, () => true, 15_000), exited]);
    return nginx;
  }

  /** Returns what nginx wrote to stdout and stderr: the access log lines, in the `edge` JSON format. */
  output(): string {
    const path = join(this.directory, 'output.log');
    return existsSync(path) ? readFileSync(path, 'utf8') : '';
  }

  errorLog(): string {
    const path = join(this.directory, 'error.log');
    return existsSync(path) ? readFileSync(path, 'utf8') : '';
  }

  /** Stops nginx (fast shutdown) and removes its folder. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((done) => {
        child.once('exit', () => done());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      });
    }
    rmSync(this.directory, { recursive: true, force: true });
  }
}
