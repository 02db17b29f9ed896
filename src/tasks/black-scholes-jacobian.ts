/**
 * BlackScholes_Jacobian: the five first-order Greeks ∂price/∂(S, K, r, σ, T) of the Black–Scholes call
 * price, written as the program Graphax generates for `jacve(BlackScholes, order="rev")` (spec
 * graphax-spec.md 5.4; `data/paper/jaxpr/BlackScholes_Jacobian.jaxpr`, traced under vmap with batch 1,
 * so every value has shape (1,)). Its own Jacobian is the 5 × 5 matrix of second-order Greeks.
 *
 *   Φ(z) = (1 + erf(z/√2))/2,   BlackScholes(S, K, r, σ, T) = Black76(e^(rT)·S, K, r, σ, T),
 *   Black76(F, K, r, σ, T) = e^(−rT)·(F·Φ(d1) − K·Φ(d2)),
 *   d1 = (log(F/K) + σ²/2·T)/(σ√T),   d2 = d1 − σ√T (with a fresh √T).
 *
 * The program has two parts, as Graphax emits them:
 * 1. A forward sweep: each primal equation followed by the equations of its local partials (1/y and
 *    −x/y² for a division, 2σ for σ², 0.5/√T for √T, 2e^(−x²)/√π for erf, −1 for a negation, …). Some
 *    partials are recorded but never used (those with respect to constants, and the price itself); they
 *    stay so that vertex numbers match the jaxpr.
 * 2. A reverse sweep: adjoints x̄ = Σ ȳ·∂y/∂x, from the price (seed 1, so the first adjoints are the
 *    co-factors themselves) back to the inputs, new contributions added in front of earlier ones.
 * Finally Graphax broadcasts five 1.0 literals (unused) as vertices 135–139.
 *
 * The traced equation sequence is identical to the jaxpr's (139 vertices).
 */
import type { Tensor } from '../graph/tensor.js';
import { tensor } from '../graph/tensor.js';
import * as np from '../trace/tensor-api.js';
import { bind, type TensorLike, type Traced } from '../trace/tensor-api.js';
import type { Rng } from '../util/random.js';
import type { TaskDefinition } from './task.js';

/** A weak-typed Python scalar promoted to float32: a structural convert_element_type vertex. */
const asFloat32 = (x: TensorLike): Traced => bind('convert_element_type', [x], {});

/** z = x/y with its partials ∂z/∂x = 1/y and ∂z/∂y = −x/y². */
function divide(x: Traced, y: Traced) {
  const value = np.div(x, y);
  const dx = np.div(1, y);
  const dy = np.div(np.neg(x), np.pow(y, 2));
  return { value, dx, dy };
}

/** z = x/c by a constant: ∂z/∂x = 1/c is a constant; ∂z/∂c = −x/c² is recorded but unused. */
function divideByConstant(x: Traced, c: number) {
  const value = np.div(x, c);
  np.div(np.neg(x), c * c);
  return { value, dx: 1 / c };
}

/** √x with ∂/∂x = 0.5/√x. */
function squareRoot(x: TensorLike) {
  const value = np.sqrt(x);
  return { value, dx: np.div(0.5, value) };
}

/** x − y with ∂/∂y = −1, recorded as a negated literal. */
function subtract(x: Traced, y: Traced) {
  const value = np.sub(x, y);
  return { value, dy: np.neg(1) };
}

/** erf(x) with ∂/∂x = 2·e^(−x²)/√π. */
function errorFunction(x: Traced) {
  const value = np.erf(x);
  const dx = np.div(np.mul(2, np.exp(np.neg(np.pow(x, 2)))), asFloat32(np.sqrt(Math.PI)));
  return { value, dx };
}

/** Φ(z) = (1 + erf(z/√2))/2 with the partials its adjoint needs. */
function normalCdf(z: Traced) {
  const sqrt2 = asFloat32(squareRoot(2).value);
  const scaled = divide(z, sqrt2);
  const erf = errorFunction(scaled.value);
  const half = divideByConstant(np.add(1, erf.value), 2);
  return { value: half.value, scaled, erf, half };
}

/** z̄ from Φ̄ for Φ(z): back through /2, 1 + ·, erf and z/√2 (the adjoint of √2 is recorded, unused). */
function normalCdfAdjoint(phi: ReturnType<typeof normalCdf>, adjPhi: Traced): Traced {
  const adjOnePlusErf = np.mul(adjPhi, phi.half.dx);
  const adjErf = np.mul(adjOnePlusErf, 1);
  const adjScaled = np.mul(adjErf, phi.erf.dx);
  const adjZ = np.mul(adjScaled, phi.scaled.dx);
  np.mul(adjScaled, phi.scaled.dy);
  return adjZ;
}

function blackScholesGreeks(S: Traced, K: Traced, r: Traced, sigma: Traced, T: Traced): Traced[] {
  // ---- forward sweep: Black76(e^(rT)·S, K, r, σ, T) with local partials --------------------------
  const rT = np.mul(r, T);
  const growth = np.exp(rT); // e^(rT); also ∂growth/∂rT
  const F = np.mul(growth, S); // forward price
  const moneyness = divide(F, K); // F/K
  const logMoneyness = np.log(moneyness.value);
  const dLogMoneyness = np.div(1, moneyness.value);
  const sigma2 = np.pow(sigma, 2);
  const dSigma2 = np.mul(2, np.pow(sigma, 1));
  const halfSigma2 = divideByConstant(sigma2, 2);
  const drift = np.mul(halfSigma2.value, T); // σ²/2·T
  const numerator = np.add(logMoneyness, drift);
  const sqrtT = squareRoot(T);
  const sigmaSqrtT = np.mul(sigma, sqrtT.value);
  const d1 = divide(numerator, sigmaSqrtT);
  const sqrtT2 = squareRoot(T); // the fresh √T of d2
  const sigmaSqrtT2 = np.mul(sigma, sqrtT2.value);
  const d2 = subtract(d1.value, sigmaSqrtT2);
  const minusR = np.neg(r);
  const dMinusR = np.neg(1);
  const minusRT = np.mul(minusR, T);
  const discount = np.exp(minusRT); // e^(−rT); also ∂discount/∂minusRT
  const phi1 = normalCdf(d1.value);
  const callLeg = np.mul(F, phi1.value); // F·Φ(d1)
  const phi2 = normalCdf(d2.value);
  const putLeg = np.mul(K, phi2.value); // K·Φ(d2)
  const undiscounted = subtract(callLeg, putLeg);
  np.mul(discount, undiscounted.value); // the price: not an output of the Jacobian program

  // ---- reverse sweep: adjoints, seeded with price̅ = 1 --------------------------------------------
  // price = discount·undiscounted, so undiscounted̅ = discount and discount̅ = undiscounted.
  const adjCallLeg = np.mul(discount, 1);
  const adjPutLeg = np.mul(discount, undiscounted.dy);
  const adjK1 = np.mul(adjPutLeg, phi2.value);
  const adjPhi2 = np.mul(adjPutLeg, K);
  const adjD2 = normalCdfAdjoint(phi2, adjPhi2);
  const adjF1 = np.mul(adjCallLeg, phi1.value);
  const adjPhi1 = np.mul(adjCallLeg, F);
  const adjD1FromPhi1 = normalCdfAdjoint(phi1, adjPhi1);
  const adjMinusRT = np.mul(undiscounted.value, discount);
  const adjMinusR = np.mul(adjMinusRT, T);
  const adjT1 = np.mul(adjMinusRT, minusR);
  const adjR1 = np.mul(adjMinusR, dMinusR);
  const adjD1 = np.add(np.mul(adjD2, 1), adjD1FromPhi1);
  const adjSigmaSqrtT2 = np.mul(adjD2, d2.dy);
  const adjSigmaFromD2 = np.mul(adjSigmaSqrtT2, sqrtT2.value);
  const adjSqrtT2 = np.mul(adjSigmaSqrtT2, sigma);
  const adjT2 = np.add(np.mul(adjSqrtT2, sqrtT2.dx), adjT1);
  const adjNumerator = np.mul(adjD1, d1.dx);
  const adjSigmaSqrtT = np.mul(adjD1, d1.dy);
  const adjSigmaFromD1 = np.add(np.mul(adjSigmaSqrtT, sqrtT.value), adjSigmaFromD2);
  const adjSqrtT = np.mul(adjSigmaSqrtT, sigma);
  const adjT3 = np.add(np.mul(adjSqrtT, sqrtT.dx), adjT2);
  const adjLogMoneyness = np.mul(adjNumerator, 1);
  const adjDrift = np.mul(adjNumerator, 1);
  const adjHalfSigma2 = np.mul(adjDrift, T);
  const adjT4 = np.add(np.mul(adjDrift, halfSigma2.value), adjT3);
  const adjSigmaSquared = np.mul(adjHalfSigma2, halfSigma2.dx);
  const vega = np.add(np.mul(adjSigmaSquared, dSigma2), adjSigmaFromD1); // ∂price/∂σ
  const adjMoneyness = np.mul(adjLogMoneyness, dLogMoneyness);
  const adjF = np.add(np.mul(adjMoneyness, moneyness.dx), adjF1);
  const dualDelta = np.add(np.mul(adjMoneyness, moneyness.dy), adjK1); // ∂price/∂K
  const adjGrowth = np.mul(adjF, S);
  const delta = np.mul(adjF, growth); // ∂price/∂S
  const adjRT = np.mul(adjGrowth, growth);
  const rho = np.add(np.mul(adjRT, T), adjR1); // ∂price/∂r
  const theta = np.add(np.mul(adjRT, r), adjT4); // ∂price/∂T (= −Θ)

  // Graphax's five unused broadcasts of 1.0 (vertices 135–139).
  for (let i = 0; i < 5; i++) bind('broadcast_in_dim', [1], { shape: [1], broadcast_dimensions: [] });
  return [delta, dualDelta, rho, vega, theta];
}

const uniform = (rng: Rng, lo: number, hi: number): Tensor => tensor([1], [lo + (hi - lo) * rng.float()]);

export const BlackScholes_Jacobian: TaskDefinition = {
  name: 'BlackScholes_Jacobian',
  paperName: 'BlackScholes_Jacobian',
  description:
    'computational finance: the 5 first-order Greeks of a Black–Scholes call as Graphax reverse-mode code, vmap batch 1',
  inputs: [
    { name: 'S', shape: [1] },
    { name: 'K', shape: [1] },
    { name: 'r', shape: [1] },
    { name: 'sigma', shape: [1] },
    { name: 'T', shape: [1] },
  ],
  fn: blackScholesGreeks,
  // Spot and strike near the money, positive rates, volatilities and maturities: log, √T and the
  // divisions by K and σ√T are all well away from their singularities.
  samplePoint: (rng) => [
    uniform(rng, 80, 120),
    uniform(rng, 80, 120),
    uniform(rng, 0.01, 0.1),
    uniform(rng, 0.1, 0.5),
    uniform(rng, 0.25, 2),
  ],
};
