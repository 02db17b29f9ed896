import type { Graph } from '../graph/graph.js';
import { importJaxpr } from '../jaxpr/parse.js';
import { trace } from '../trace/trace.js';
import { readDataFile } from '../util/data.js';
import { BlackScholes_Jacobian } from './black-scholes-jacobian.js';
import { Encoder } from './encoder.js';
import { HumanHeartDipole } from './human-heart-dipole.js';
import { Perceptron } from './perceptron.js';
import { PropaneCombustion } from './propane-combustion.js';
import { f } from './random-f.js';
import { g } from './random-g.js';
import { RobotArm_6DOF } from './robot-arm-6dof.js';
import { RoeFlux_1d } from './roe-flux-1d.js';
import { RoeFlux_3d } from './roe-flux-3d.js';
import type { TaskDefinition } from './task.js';

export type { TaskDefinition } from './task.js';

/** The paper's 10 benchmark programs, in the order of its results table. */
export const TASKS: readonly TaskDefinition[] = [
  RoeFlux_1d,
  RoeFlux_3d,
  RobotArm_6DOF,
  HumanHeartDipole,
  PropaneCombustion,
  BlackScholes_Jacobian,
  f,
  g,
  Perceptron,
  Encoder,
];

export const TASK_NAMES: readonly string[] = TASKS.map((t) => t.name);

/** The 7 tasks whose regenerated graphs are faithful to the 2024 paper (data/paper/README section 3). */
export const FAITHFUL_TASKS: readonly string[] = [
  'RoeFlux_1d',
  'RoeFlux_3d',
  'RobotArm_6DOF',
  'HumanHeartDipole',
  'PropaneCombustion',
  'f',
  'g',
];

/** A task by name, case-insensitively; undefined when there is none. */
export function findTask(name: string): TaskDefinition | undefined {
  const lower = name.toLowerCase();
  return TASKS.find((t) => t.name.toLowerCase() === lower);
}

/** `ts`: traced from our TypeScript version; `jaxpr`: imported from the paper's jaxpr text. */
export type TaskSource = 'ts' | 'jaxpr';

export function taskGraph(task: TaskDefinition, source: TaskSource = 'ts'): Graph {
  return source === 'ts'
    ? trace(task.fn, task.inputs)
    : importJaxpr(readDataFile(`paper/jaxpr/${task.paperName}.jaxpr`));
}

export { randomScalarGraph, randomTensorGraph } from './random-graphs.js';
