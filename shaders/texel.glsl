// Reading inputs as uniform texel buffers.
#ifndef ICT_TEXEL_GLSL
#define ICT_TEXEL_GLSL

#extension GL_EXT_samplerless_texture_functions : require

// The shaders that include this file read their inputs as uniform texel
// buffers of vec4s (textureBuffer), not storage buffers: on lavapipe a
// storage-buffer load is a loop over the lanes with a branch each, a
// texelFetch a vector gather (gemm_cpu.glsl has the costs). A vec4 is
// texelFetch(b, i) of vec4 index i; a float is a component of its texel,
// texelFloat(b, i).

// texelFloat is float i of b: component i & 3 of texel i >> 2. The uint
// overload serves the shaders that index with uints (below 2^31).
float texelFloat(textureBuffer b, int i) { return texelFetch(b, i >> 2)[i & 3]; }
float texelFloat(textureBuffer b, uint i) { return texelFloat(b, int(i)); }

#endif
