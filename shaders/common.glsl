// Shared helpers of ictvk's compute shaders.

// elementIndex() is the flat index of this invocation in a one-dimensional
// launch that the host may have folded into two dimensions to stay under
// maxComputeWorkGroupCount (see nn's groups1D). It is a macro, not a
// function: this file is included before `layout(local_size_x_id = 0) in;`,
// and gl_WorkGroupSize is the constant (1,1,1) above that line, so a
// function here would fold every row after the first onto the first.
#define elementIndex() \
  (gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x)
