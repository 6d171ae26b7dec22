package dev.leakhound.agent.endpoints;

import dev.leakhound.agent.http.Endpoint;
import dev.leakhound.agent.http.Query;
import dev.leakhound.agent.http.Response;
import dev.leakhound.agent.proof.HeapProofs;


/**
 * {@code POST /debug/leaks/proof} (agent option {@code heapProof=true}): the threads leaked for certain, proven from a
 * heap dump of this JVM, with a JSON thread dump taken just before (the owners of monitors, for deadlocks), in another
 * JVM ({@link HeapProofs}); the JSON of {@code leakhound heap --threads --json}'s {@code proof} field. POST only
 * ({@link Endpoint#post()}): it pauses the host for the dump and writes the whole heap to disk for a while.
 */
public final class ProofEndpoint implements Endpoint {
    /** The answer when the proof is off: how to turn it on, and what it costs. */
    public static final String OFF = "the heap proof is off in this agent: start it with"
            + " -javaagent:leakhound.jar=heapProof=true (or leakhound attach PID --options heapProof=true)."
            + " Each proof pauses this JVM while it dumps the heap (about a second per GB of live heap), writes the"
            + " dump to a private temporary directory under java.io.tmpdir (as large as the live heap; removed"
            + " afterwards, never served) and analyses it in a second JVM of at most proofHeapMb (default 1024) MB;"
            + " at most once per heapIntervalMillis";

    private final HeapProofs proofs;

    /** @param proofs the proofs, or {@code null} when the proof is off: then every POST is told how to turn it on */
    public ProofEndpoint(HeapProofs proofs) {
        this.proofs = proofs;
    }

    @Override
    public boolean post() {
        return true;
    }

    @Override
    public String contentType(Query q) {
        return Response.JSON;
    }

    @Override
    public String description() {
        if (proofs == null) {
            return "POST only, OFF (agent option heapProof=true turns it on): the threads leaked for certain, proven"
                    + " from a heap dump";
        }
        return "POST only, HEAVY (dumps the threads and the heap to a private temporary directory, pausing this JVM;"
                + " at most once per heapIntervalMillis, else 429): the threads leaked for certain, deadlocks included,"
                + " proven from the dumps in another JVM; the dumps are deleted, never served (JSON)";
    }

    @Override
    public Response handle(Query q) throws Exception {
        if (proofs == null) {
            return Response.error(403, OFF);
        }
        return Response.json(proofs.prove());
    }
}
