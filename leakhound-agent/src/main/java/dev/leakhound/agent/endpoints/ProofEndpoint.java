package dev.leakhound.agent.endpoints;

import dev.leakhound.agent.http.Endpoint;
import dev.leakhound.agent.http.Query;
import dev.leakhound.agent.http.Response;
import dev.leakhound.agent.proof.HeapProofs;

import java.util.Set;

/**
 * {@code POST /debug/leaks/proof} (agent option {@code heapProof=true}): the threads leaked for certain, proven from a
 * heap dump of this JVM in another JVM ({@link HeapProofs}); the JSON of {@code leakhound heap --json}'s
 * {@code proof} field. POST only ({@link Endpoint#post()}): it pauses the host for the dump and writes
 * the whole heap to disk for a while.
 */
public final class ProofEndpoint implements Endpoint {
    private final HeapProofs proofs;

    public ProofEndpoint(HeapProofs proofs) {
        this.proofs = proofs;
    }

    @Override
    public Set<String> params() {
        return Set.of();
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
        return "POST only, HEAVY (dumps the heap to a private temporary directory, pausing this JVM; at most once per"
                + " heapIntervalMillis, else 429): the threads leaked for certain, proven from the dump in another JVM;"
                + " the dump is deleted, never served (JSON)";
    }

    @Override
    public Response handle(Query q) throws Exception {
        return Response.json(proofs.prove());
    }
}
