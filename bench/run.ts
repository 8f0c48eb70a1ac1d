/**
 * Entry point of `npm run bench`: starts the upstream and the systems, runs
 * the interleaved rounds and the gateway scenarios, prints the report and
 * writes the results JSON, a Markdown copy of the report and the chart.
 * Every child process runs in its own process group and is killed at the
 * end, on failure and on Ctrl-C.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LoadClients, defaultClosedLoopTool } from './load/clients.ts';
import { describeMachine } from './machine.ts';
import { findNginx, NGINX_INSTALL_HINT } from './nginx.ts';
import { HELP, parseBenchOptions, type BenchOptions } from './options.ts';
import { findProgram, ProcessSupervisor } from './processes.ts';
import { renderReport, renderResultsChart, BASELINES, QUIET_OPEN_LOOP_SHARE, type BenchResults } from './report/render.ts';
import { addedOpenLoopP99, summarizeRatios, summarizeSystem, type MetricName, type RoundResult, type Spread } from './report/stats.ts';
import { checkTargets } from './report/targets.ts';
import { runBreaker } from './scenarios/breaker.ts';
import { runConnections } from './scenarios/connections.ts';
import { FETCH_TIMEOUT_MS, startScenarioGateway, type ScenarioContext } from './scenarios/context.ts';
import { runDashboard } from './scenarios/dashboard.ts';
import { runProfile } from './scenarios/profile.ts';
import { runRounds } from './scenarios/throughput.ts';
import { runVariants } from './scenarios/variants.ts';
import { HISTORY_BODY } from './servers/bodies.ts';
import {
  compileServers,
  directSystem,
  startExpressProxy,
  startFastifyProxy,
  startNginx,
  startUpstream,
  type RunningServer,
  type RunningSystem,
  type SystemId,
} from './systems.ts';
import { randomSecret, signAccessToken } from './token.ts';

const repositoryRoot = fileURLToPath(new URL('..', import.meta.url));
const startedAt = Date.now();

function log(message: string): void {
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(0).padStart(4);
  console.error(`[bench ${seconds}s] ${message}`);
}

/** Upper bound on the whole run, after which every child is killed and the run fails. */
function runTimeLimitMs(options: BenchOptions): number {
  const perCell = options.durationSeconds + options.openDurationSeconds + 1 + 30;
  return (options.rounds * options.systems.length * perCell + options.systems.length * (options.warmupSeconds + 30) + 900) * 1000;
}

function checkPrerequisites(options: BenchOptions): void {
  if (!findProgram('taskset')) throw new Error('taskset is missing: install util-linux (apt-get install -y util-linux)');
  const cores = availableParallelism();
  for (const [name, core] of [['--sut-core', options.sutCore], ['--load-core', options.loadCore]] as const) {
    if (core >= cores) throw new Error(`${name} ${core} is not a core of this machine, which has ${cores} (0 to ${cores - 1})`);
  }
  if (options.sutCore === options.loadCore) throw new Error('--sut-core and --load-core must differ, so the proxy has a core of its own');
  if (options.loadTool === 'wrk' && !findProgram('wrk')) throw new Error('wrk is missing: install it with apt-get install -y wrk, or pass --load autocannon');
}

async function startSystems(
  context: ScenarioContext,
  upstream: RunningServer,
): Promise<{ systems: RunningSystem[]; skipped: { id: SystemId; reason: string }[] }> {
  const { supervisor, options } = context;
  const systems: RunningSystem[] = [];
  const skipped: { id: SystemId; reason: string }[] = [];
  for (const id of options.systems) {
    log(`starting ${id}`);
    if (id === 'direct') systems.push(directSystem(upstream));
    if (id === 'fastify-proxy') systems.push(await startFastifyProxy(supervisor, options.sutCore, upstream));
    if (id === 'express-proxy') systems.push(await startExpressProxy(supervisor, options.sutCore, upstream));
    if (id === 'nginx') {
      const nginx = await startNginx(supervisor, options.sutCore, upstream, join(context.directory, 'nginx'));
      if (nginx) systems.push(nginx);
      else {
        log(NGINX_INSTALL_HINT);
        skipped.push({ id, reason: NGINX_INSTALL_HINT });
      }
    }
    if (id === 'gateway') {
      systems.push(await startScenarioGateway(context, { name: 'gateway', chatServiceUrl: upstream.origin, authServiceUrl: upstream.origin }));
    }
  }
  return { systems, skipped };
}

/** Checks that every system returns 200 with the upstream's body before anything is measured. */
async function checkSystems(systems: RunningSystem[], headers: Record<string, string>): Promise<void> {
  const expected = JSON.stringify(HISTORY_BODY);
  for (const system of systems) {
    const response = await fetch(system.url, { headers, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`${system.label} returned ${response.status} for ${system.url}: ${text.slice(0, 500)}`);
    if (text !== expected) throw new Error(`${system.label} returned a body other than the upstream's: ${text.slice(0, 500)}`);
  }
}

function summarizeRounds(rounds: RoundResult[], ids: SystemId[]): Pick<BenchResults, 'summaries' | 'ratios'> {
  const summaries: BenchResults['summaries'] = {};
  const ratios: BenchResults['ratios'] = {};
  for (const id of ids) {
    summaries[id] = summarizeSystem(rounds, id);
    const perBaseline: Partial<Record<SystemId, Record<MetricName, Spread>>> = {};
    for (const baseline of BASELINES) {
      const ratio = baseline === id ? undefined : summarizeRatios(rounds, id, baseline);
      if (ratio) perBaseline[baseline] = ratio;
    }
    ratios[id] = perBaseline;
  }
  return { summaries, ratios };
}

/** Recomputes everything derived from the raw figures of an earlier run, so a change to the report applies to it. */
function reportAgain(path: string): BenchResults {
  const earlier = JSON.parse(readFileSync(resolve(repositoryRoot, path), 'utf8')) as BenchResults;
  const { summaries, ratios } = summarizeRounds(earlier.rounds, earlier.systems);
  const gatewayMeasured = earlier.systems.includes('gateway');
  const addedOpenP99 = gatewayMeasured ? addedOpenLoopP99(earlier.rounds, 'gateway') : undefined;
  const addedOpenP99Quiet = gatewayMeasured ? addedOpenLoopP99(earlier.rounds, 'gateway', QUIET_OPEN_LOOP_SHARE) : undefined;
  const scenarioErrors = earlier.scenarioErrors ?? {};
  const { dashboard, breaker, connections } = earlier;
  return {
    ...earlier,
    summaries,
    ratios,
    addedOpenP99,
    addedOpenP99Quiet,
    scenarioErrors,
    targets: checkTargets({ summaries, ratios, addedOpenP99, addedOpenP99Quiet, dashboard, breaker, connections, scenarioErrors }),
  };
}

async function measure(options: BenchOptions, supervisor: ProcessSupervisor, directory: string): Promise<BenchResults> {
  const wrkPath = findProgram('wrk');
  const closedLoopTool = options.loadTool ?? defaultClosedLoopTool();
  if (closedLoopTool === 'autocannon' && !options.loadTool) log('wrk is not installed (apt-get install -y wrk); using autocannon for the closed-loop runs');
  const machine = describeMachine(findNginx(), wrkPath);
  const jwtSecret = randomSecret();
  const token = await signAccessToken(jwtSecret, 24 * 3600);
  const headers = { authorization: `Bearer ${token}` };
  const clients = new LoadClients(supervisor, options.loadCore, closedLoopTool);
  const context: ScenarioContext = { supervisor, clients, options, headers, jwtSecret, directory, log };

  await compileServers();
  log('compiled the Node servers to JavaScript with esbuild (.bench-build/)');
  const upstream = await startUpstream(supervisor, options.loadCore);
  const { systems, skipped } = await startSystems(context, upstream);
  await checkSystems(systems, headers);

  const rounds = await runRounds({ systems, upstream, clients, options, headers, log });
  const { summaries, ratios } = summarizeRounds(rounds, systems.map((system) => system.id));
  for (const system of systems) if (system.id !== 'direct') await system.server?.process.stop();

  const gatewayMeasured = systems.some((system) => system.id === 'gateway');
  const extras = options.extras && gatewayMeasured;
  const scenarioErrors: Record<string, string> = {};
  const attempt = async <T>(name: string, enabled: boolean, run: () => Promise<T>): Promise<T | undefined> => {
    if (!enabled) return undefined;
    try {
      return await run();
    } catch (error) {
      // A failed scenario is reported, and the figures measured so far are still written.
      scenarioErrors[name] = error instanceof Error ? error.message : String(error);
      log(`${name} failed: ${scenarioErrors[name]}`);
      return undefined;
    }
  };
  const dashboard = await attempt('dashboard', extras, () => runDashboard(context));
  const breaker = await attempt('breaker', extras, () => runBreaker(context, upstream));
  const connections = await attempt('connections', extras && options.holdConnections > 0, () => runConnections(context));
  const saveDirectory = options.output ? resolve(repositoryRoot, dirname(options.output)) : undefined;
  const profile = await attempt('profile', options.profile && gatewayMeasured, () => runProfile(context, upstream, saveDirectory));
  const variants = await attempt('variants', options.profile && gatewayMeasured, () => runVariants(context, upstream));

  const addedOpenP99 = gatewayMeasured ? addedOpenLoopP99(rounds, 'gateway') : undefined;
  const addedOpenP99Quiet = gatewayMeasured ? addedOpenLoopP99(rounds, 'gateway', QUIET_OPEN_LOOP_SHARE) : undefined;
  return {
    generatedAt: new Date().toISOString(),
    command: ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
    machine,
    settings: { ...options, closedLoopTool, upstreamBodyBytes: Buffer.byteLength(JSON.stringify(HISTORY_BODY)) },
    systems: systems.map((system) => system.id),
    skipped,
    rounds,
    summaries,
    ratios,
    addedOpenP99,
    addedOpenP99Quiet,
    dashboard,
    breaker,
    connections,
    profile,
    variants,
    scenarioErrors,
    targets: checkTargets({ summaries, ratios, addedOpenP99, addedOpenP99Quiet, dashboard, breaker, connections, scenarioErrors }),
  };
}

function writeOutputs(options: BenchOptions, results: BenchResults, report: string): void {
  if (options.output) {
    const output = resolve(repositoryRoot, options.output);
    mkdirSync(dirname(output), { recursive: true });
    writeFileSync(output, `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(output.replace(/\.json$/, '.md'), `${report}\n`);
    log(`wrote ${options.output} and its Markdown report`);
  }
  if (options.chart) {
    const chart = resolve(repositoryRoot, options.chart);
    mkdirSync(dirname(chart), { recursive: true });
    writeFileSync(chart, renderResultsChart(results));
    log(`wrote ${options.chart}`);
  }
}

async function main(): Promise<number> {
  const options = parseBenchOptions(process.argv.slice(2));
  if (options === 'help') {
    console.log(HELP);
    return 0;
  }
  if (options.reportFrom) {
    const results = reportAgain(options.reportFrom);
    const report = renderReport(results);
    console.log(report);
    writeOutputs(options, results, report);
    return 0;
  }
  checkPrerequisites(options);

  const supervisor = new ProcessSupervisor();
  const directory = mkdtempSync(join(tmpdir(), 'mad-scientist-bench-'));
  const cleanUp = (): void => {
    supervisor.killAllNow();
    rmSync(directory, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    log(`${signal}: stopping every child process`);
    cleanUp();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const limitMs = runTimeLimitMs(options);
  const watchdog = setTimeout(() => {
    log(`the run exceeded its limit of ${Math.round(limitMs / 1000)} s; stopping every child process`);
    cleanUp();
    process.exit(1);
  }, limitMs);
  watchdog.unref();

  try {
    const results = await measure(options, supervisor, directory);
    const report = renderReport(results);
    console.log(report);
    writeOutputs(options, results, report);
    return 0;
  } finally {
    clearTimeout(watchdog);
    await supervisor.stopAll();
    supervisor.dispose();
    rmSync(directory, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? `bench failed: ${error.message}` : error);
    process.exit(1);
  },
);
