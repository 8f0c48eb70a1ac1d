/**
 * nginx as a reverse proxy: one worker process, keep-alive to the upstream,
 * listening on 127.0.0.1 only, run in the foreground with every path (pid,
 * logs, temp folders) inside the benchmark's temp folder.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const NGINX_PATH = '/usr/sbin/nginx';
export const NGINX_INSTALL_HINT = 'nginx is not installed, so its rows are skipped. Install it with: apt-get install -y nginx';

export function findNginx(): string | undefined {
  return existsSync(NGINX_PATH) ? NGINX_PATH : undefined;
}

export interface NginxConfigOptions {
  directory: string;
  listenPort: number;
  upstreamPort: number;
}

/** Writes nginx.conf into `directory` and returns its path. */
export function writeNginxConfig({ directory, listenPort, upstreamPort }: NginxConfigOptions): string {
  mkdirSync(join(directory, 'temp'), { recursive: true });
  const temp = (name: string): string => join(directory, 'temp', name);
  // keepalive_requests is raised from nginx's default of 1000 on both sides, because
  // the Node servers in the comparison never close a keep-alive connection after N requests.
  const config = `daemon off;
master_process on;
worker_processes 1;
pid ${join(directory, 'nginx.pid')};
error_log ${join(directory, 'error.log')} warn;

events {
  worker_connections 16384;
}

http {
  access_log ${join(directory, 'access.log')} combined;
  client_body_temp_path ${temp('client_body')};
  proxy_temp_path ${temp('proxy')};
  fastcgi_temp_path ${temp('fastcgi')};
  uwsgi_temp_path ${temp('uwsgi')};
  scgi_temp_path ${temp('scgi')};
  keepalive_timeout 120s;
  keepalive_requests 1000000;

  upstream chat {
    server 127.0.0.1:${upstreamPort};
    keepalive 128;
    keepalive_requests 1000000;
    keepalive_timeout 120s;
  }

  server {
    listen 127.0.0.1:${listenPort};

    location /api/chat/ {
      proxy_pass http://chat/mad-scientist/;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`;
  const path = join(directory, 'nginx.conf');
  writeFileSync(path, config);
  return path;
}

/** Arguments for a foreground nginx that logs start-up errors inside `directory` too. */
export function nginxArguments(directory: string, configPath: string): string[] {
  return ['-p', directory, '-e', join(directory, 'error.log'), '-c', configPath];
}
