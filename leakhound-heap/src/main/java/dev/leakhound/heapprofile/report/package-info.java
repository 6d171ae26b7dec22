/**
 * The heap profile written out: {@link dev.leakhound.heapprofile.report.HeapProfileText} (largest first, like
 * {@code go tool pprof -top}) and {@link dev.leakhound.heapprofile.report.HeapProfileJson} (jackson-core's
 * streaming generator, as every JSON of Leakhound). Shared by the CLI's {@code jfr} command and the agent. Uses
 * {@code heapprofile}, core's {@code model} and {@code report}'s JSON generator. The pprof form is the agent's
 * {@code PprofEncoder} (protobuf).
 */
package dev.leakhound.heapprofile.report;
