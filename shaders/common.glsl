// Shared helpers of ictvk's compute shaders.
#ifndef ICT_COMMON_GLSL
#define ICT_COMMON_GLSL

// elementIndex() is the flat index of this invocation in a one-dimensional
// launch that the host may have folded into two dimensions to stay under
// maxComputeWorkGroupCount (see nn's groups1D). It is a macro, not a
// function: this file is included before `layout(local_size_x_id = 0) in;`,
// and gl_WorkGroupSize is the constant (1,1,1) above that line, so a
// function here would fold every row after the first onto the first.
#define elementIndex() \
  (gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x)

// workgroupIndex() is the flat index of this workgroup in a launch of one
// workgroup per row (or group, or chunk) that the host may have folded
// into two dimensions (nn's groups1D with local size 1). Kernels compare
// it with their row count and leave as a whole workgroup past the end.
#define workgroupIndex() (gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x)

// VEC: the elementwise and row kernels with a spec constant VEC take vec4s
// when it is 4 (the host sets it where the sizes each shader names are
// multiples of 4): each invocation 4 elements, or each sweep of a row
// vec4 by vec4. Lavapipe loads and stores storage buffers per lane and
// element, and there a vec4 cost about 2.3 floats' worth (measured when
// these kernels loaded and stored through storage buffers). Most now read
// their inputs as texel buffers (texel.glsl), a vector gather, but stores
// still go through storage buffers, per lane.

#endif
