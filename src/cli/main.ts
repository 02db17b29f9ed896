#!/usr/bin/env node
/**
 * The crosscountry command line: a thin layer over the library. Every bad input surfaces as a
 * CrosscountryError (CliError for files, JSON, orders and inputs) and is reported here, on one line.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { CrosscountryError } from '../index.js';
import { costCommand, jacobianCommand, optimizeCommand, printCommand, tasksCommand } from './commands.js';
import { compileCommand } from './compile-command.js';
import { demo } from './demo.js';
import { isRlMethod } from '../rl/methods.js';
import { oneLine } from './errors.js';
import { GRAPH_HELP } from './load-graph.js';
import { ORDER_HELP } from './parse-order.js';
import { COST_MODELS } from '../index.js';

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Exit 1 for bad input (one `error:` line), 2 for a bug (one `internal error:` line); never a stack trace. */
function report(err: unknown): void {
  if (err instanceof CrosscountryError) {
    process.stderr.write(`error: ${oneLine(err)}\n`);
    process.exitCode = 1;
  } else {
    process.stderr.write(`internal error: ${oneLine(err)}\n`);
    process.exitCode = 2;
  }
}

/** The learning commands, loaded only when used (their networks need optional packages). */
function rlCommands(): Promise<typeof import('./rl-commands.js')> {
  return import('./rl-commands.js');
}

function print(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

const GRAPH_ARG = GRAPH_HELP;
const SOURCE_HELP = "for a built-in task: ts (our TypeScript version, default) or jaxpr (the paper's graph)";

const program = new Command()
  .name('crosscountry')
  .description(
    'Cross-country (vertex) elimination for exact Jacobians: count multiplications, compute Jacobians.',
  )
  .version(packageVersion(), '-v, --version', 'print the version')
  // Commander's usage errors stay on one line, like ours.
  .configureOutput({ outputError: (str, write) => write(`${str.trimEnd()} (see --help)\n`) })
  .addHelpText(
    'after',
    `
Examples (built-in tasks: they work from any directory):
  crosscountry demo
  crosscountry tasks
  crosscountry print RoeFlux_1d
  crosscountry cost RoeFlux_1d --order rev --steps
  crosscountry optimize RoeFlux_1d --budget 2 --out order.json
  crosscountry cost RoeFlux_1d --order order.json --json
  crosscountry jacobian RoeFlux_1d --at '[1, 0.5, -1, 0.8, 0.2, -0.5]' --json
  crosscountry print RoeFlux_1d --json | crosscountry cost - --order markowitz
  crosscountry compile RoeFlux_1d --out roeflux.mjs

Your own graphs: a jaxpr text or graph JSON file (recognised by content; - reads stdin), or a .ts/.js
module exporting fn and inputs. Ctrl-C during optimize or train keeps the best result so far (exit 130).

Vertices are numbered 1, 2, … in program order (v1, v2, … in the print listing); an order lists every
eliminable vertex once. Errors print one line, "error: <message>", and exit with code 1.`,
  );

program
  .command('cost')
  .description('count the scalar multiplications an elimination order costs (from structure alone)')
  .argument('<graph>', GRAPH_ARG)
  .option('-o, --order <order>', ORDER_HELP, 'markowitz')
  .option('--cost-model <model>', `cost model (${COST_MODELS.join(', ')})`, 'native')
  .option('--source <source>', SOURCE_HELP, 'ts')
  .option('--steps', 'also show the multiplications of each elimination step')
  .option('--out <order.json>', 'also write {"task", "costModel", "multiplications", "order"} to a file')
  .option('--json', 'print {"multiplications", "order", "costModel"} as JSON')
  .action(async (graph: string, opts) => print(await costCommand(graph, opts)));

program
  .command('jacobian')
  .description('evaluate the program and its exact Jacobian at a point by vertex elimination')
  .argument('<graph>', GRAPH_ARG)
  .requiredOption(
    '--at <inputs.json>',
    'JSON array with one value (number or nested array) per input; or inline JSON',
  )
  .option('-o, --order <order>', ORDER_HELP, 'markowitz')
  .option('--source <source>', SOURCE_HELP, 'ts')
  .option('--json', 'print {"outputs", "jacobian", "multiplications", "order"} as JSON')
  .option(
    '--check-finite',
    'fail, naming the vertex and its primitive, when a value, partial or Jacobian entry is NaN or infinite (default: IEEE results, as JAX)',
  )
  .action(async (graph: string, opts) => print(await jacobianCommand(graph, opts)));

program
  .command('compile')
  .description(
    'write the Jacobian as a standalone ES module (no imports, Math only) for browsers and bundles: jacobian(), values(), metadata',
  )
  .argument('<graph>', GRAPH_ARG)
  .requiredOption(
    '--out <file>',
    '.mjs or .js: JavaScript plus a .d.mts/.d.ts with the types; .ts or .mts: TypeScript (strict)',
  )
  .option('-o, --order <order>', `auto (the order jacobian() compiles), ${ORDER_HELP}`, 'auto')
  .option(
    '--cost-model <model>',
    `cost model of the reported count and of markowitz (${COST_MODELS.join(', ')})`,
    'native',
  )
  .option(
    '--format <format>',
    'how jacobian() returns the Jacobian: blocks (per output and input), dense or sparse (CSR values + pattern)',
    'blocks',
  )
  .option('--source <source>', SOURCE_HELP, 'ts')
  .action(async (graph: string, opts) => print(await compileCommand(graph, opts)));

program
  .command('print')
  .description('print the graph as a jaxpr-like listing (vertex k is v<k>) or as graph JSON')
  .argument('<graph>', GRAPH_ARG)
  .option('--source <source>', SOURCE_HELP, 'ts')
  .option('--json', 'print the crosscountry-graph JSON instead')
  .action(async (graph: string, opts) => print(await printCommand(graph, opts)));

const RL_HELP = `
Learning agents (--method alphazero|ppo) train on the graph for the budget and return the best order
they have seen. Paper tasks default to --cost-model alphagrad, other graphs to native.`;

program
  .command('optimize')
  .description(
    'search for a cheap elimination order within a time budget, with a certificate (optimal or a lower bound)',
  )
  .argument('<graph>', GRAPH_ARG)
  .option(
    '-m, --method <method>',
    'auto (portfolio: exact A* when possible + simulated annealing in worker threads), exact, anneal, greedy, milp (integer programming with HiGHS, scalar graphs), policy (the shipped generalist network, played greedily: no search), alphazero (Gumbel MuZero self-play; starts from the generalist unless --arch/--imitate/--prior), ppo',
    'auto',
  )
  .option('-b, --budget <seconds>', 'wall-clock budget in seconds (default 5; 60 for alphazero/ppo)')
  .option('--seed <n>', 'random seed (same seed, same search)', '1')
  .option(
    '--max-moves <n>',
    'anneal/auto: stop after n annealing moves; with --seed, the same order on any machine and under any load (no time limit unless --budget)',
  )
  .option(
    '--max-states <n>',
    'exact/auto: keep at most n exact-search states (a work limit, like --max-moves)',
  )
  .option('--threads <n>', 'worker threads for --method auto (default: up to 2)')
  .option(
    '--start <order>',
    'auto/anneal: also start the search from this order (a vertex list or an order JSON file, e.g. a learned or published order); repeatable',
    (value: string, previous: string[] = []) => [...previous, value],
  )
  .option('--cost-model <model>', `cost model (${COST_MODELS.join(', ')}; default native)`)
  .option('--source <source>', SOURCE_HELP, 'ts')
  .option(
    '--out <order.json>',
    'write {"task","costModel","method",…,"multiplications","order"}; alphazero/ppo also write <order>.curve.csv/.png',
  )
  .option('--json', 'print that record as JSON')
  .option('--verbose', 'print every improvement to stderr')
  .option(
    '-q, --quiet',
    'no progress line (by default one is shown on a terminal; Ctrl-C keeps the best order)',
  )
  .option('--episodes <n>', 'alphazero/ppo: stop after n episodes (with a fixed seed, the same order)')
  .option(
    '--arch <name>',
    'alphazero/ppo: network architecture: mlp (default; propagated features), gnn or transformer',
  )
  .option('--games <n>', 'alphazero/ppo: parallel games per episode')
  .option('--simulations <n>', 'alphazero: search simulations per move')
  .option('--workers <n>', 'alphazero: self-play worker threads (default 1: play on the main thread)')
  .option(
    '--imitate <steps>',
    'alphazero/ppo: warm-start steps imitating the best of forward/reverse/Markowitz (default 100; 0 = from scratch)',
  )
  .option(
    '--prior <prior>',
    'alphazero: generalist (default: the shipped pretrained policy, fine-tuned on the graph), network (fresh, after the imitation warm start; the default with --arch or --imitate) or uniform (search only, no learning: the ablation)',
  )
  .option(
    '--progress-seconds <s>',
    'alphazero/ppo: seconds between progress lines when stderr is not a terminal',
    '10',
  )
  .addHelpText('after', RL_HELP)
  .action(async (graph: string, opts) =>
    print(
      opts.method === 'policy'
        ? await (await rlCommands()).policyOptimizeCommand(graph, opts)
        : isRlMethod(opts.method)
          ? await (await rlCommands()).rlOptimizeCommand(graph, opts)
          : await optimizeCommand(graph, {
              ...opts,
              budget: opts.budget ?? ((opts.maxMoves ?? opts.maxStates) ? undefined : '5'),
              costModel: opts.costModel ?? 'native',
            }),
    ),
  );

program
  .command('train')
  .description(
    'train an RL agent on one or more graphs (several = joint training), with resumable checkpoints',
  )
  .argument('<graph...>', GRAPH_ARG)
  .option('-m, --method <method>', 'alphazero or ppo', 'alphazero')
  .option('-b, --budget <seconds>', 'wall-clock budget of this run in seconds (default 60 unless --episodes)')
  .option('--episodes <n>', 'stop when this many episodes have been played in total')
  .option('--seed <n>', 'random seed', '1')
  .option(
    '--cost-model <model>',
    `cost model (${COST_MODELS.join(', ')}; default alphagrad for paper tasks, else native)`,
  )
  .option('--source <source>', SOURCE_HELP, 'ts')
  .option(
    '--checkpoint <dir>',
    'where checkpoint.json, orders.json, curve.csv and curve.png go',
    'rl-checkpoint',
  )
  .option('--resume', 'continue from <dir>/checkpoint.json')
  .option('--overwrite', 'start afresh even if <dir> already holds a checkpoint (default: refuse)')
  .option('-q, --quiet', 'no progress lines (Ctrl-C still saves a checkpoint)')
  .option('--arch <name>', 'network architecture: mlp (default; propagated features), gnn or transformer')
  .option('--games <n>', 'parallel games per episode')
  .option('--simulations <n>', 'alphazero: search simulations per move')
  .option('--workers <n>', 'alphazero: self-play worker threads (default 1: play on the main thread)')
  .option(
    '--imitate <steps>',
    'alphazero/ppo: warm-start steps imitating the best of forward/reverse/Markowitz (default 100; 0 = from scratch)',
  )
  .option('--prior <prior>', 'alphazero: network (default) or uniform (search only)')
  .option('--progress-seconds <s>', 'seconds between progress lines when stderr is not a terminal', '10')
  .option(
    '--queue <url>',
    'alphazero: self-play on `crosscountry worker` processes through BullMQ on Redis (redis://host:port)',
  )
  .option('--games-per-job <n>', 'with --queue: games per job, the unit a dead worker loses and redoes', '1')
  .option('--json', 'print the per-graph records as JSON')
  .action(async (graphs: string[], opts) => print(await (await rlCommands()).trainCommand(graphs, opts)));

program
  .command('worker')
  .description('play alphazero self-play jobs from a BullMQ queue on Redis for `train --queue` coordinators')
  .requiredOption('--queue <url>', 'Redis address, redis://host:port')
  .option(
    '--lock-seconds <s>',
    'how long a job stays with a worker that stopped answering before another worker takes it',
    '30',
  )
  .action(async (opts) => print(await (await rlCommands()).workerCommand(opts)));

program
  .command('tasks')
  .description('list the built-in benchmark tasks with their vertex, input and output counts')
  .option('--json', 'print the list as JSON')
  .action((opts) => print(tasksCommand(opts)));

program
  .command('demo')
  .description('run the built-in examples: graph, forward/reverse/Markowitz costs, agreeing Jacobians')
  .action(() => print(demo()));

// A closed pipe (`crosscountry print big.json | head`) is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  report(err);
});

program.parseAsync(process.argv).catch(report);
