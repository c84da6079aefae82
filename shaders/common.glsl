// Shared helpers of ictvk's compute shaders.

// elementIndex is the flat index of this invocation in a one-dimensional
// launch that the host may have folded into two dimensions to stay under
// maxComputeWorkGroupCount (see nn's groups1D).
uint elementIndex() {
  return gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
}
