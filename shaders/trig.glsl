// Sines and cosines of angles given in turns (1 turn = 2 pi), reduced
// exactly to an eighth of a turn and evaluated by Taylor polynomials there:
// accurate to float32 rounding on every device, where the built-in sin
// and cos may err by 2^-11 (Vulkan's precision rules).

// cosSinQuarter returns (cos, sin) of 2 pi (x + q/4) for |x| <= 1/8 turn.
vec2 cosSinQuarter(float x, uint q) {
  float a = 6.2831853071795865 * x;
  float a2 = a * a;
  float s = a * (1.0 + a2 * (-1.0 / 6.0 + a2 * (1.0 / 120.0 + a2 * (-1.0 / 5040.0 + a2 * (1.0 / 362880.0)))));
  float c = 1.0 + a2 * (-0.5 + a2 * (1.0 / 24.0 + a2 * (-1.0 / 720.0 + a2 * (1.0 / 40320.0 + a2 * (-1.0 / 3628800.0)))));
  switch (q & 3u) {
    case 0u: return vec2(c, s);
    case 1u: return vec2(-s, c);
    case 2u: return vec2(-c, -s);
    default: return vec2(s, -c);
  }
}

// cosSinTurns returns (cos, sin) of 2 pi t; the reduction is exact for
// |t| < 2^22.
vec2 cosSinTurns(float t) {
  float r = t - roundEven(t);     // [-1/2, 1/2]
  float q = roundEven(4.0 * r);   // nearest quarter turn
  return cosSinQuarter(r - 0.25 * q, uint(int(q)));
}
