/** The learning methods, apart from the agents so that naming one loads no network code. */
export type RlMethod = 'alphazero' | 'ppo';
export const RL_METHODS: readonly RlMethod[] = ['alphazero', 'ppo'];

export const isRlMethod = (m: string): m is RlMethod => (RL_METHODS as readonly string[]).includes(m);
