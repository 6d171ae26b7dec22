package com.example.search;

import com.example.search.FirstAnswer.Replica;

import java.util.List;

/** Three replicas that answer at once, each with its own name. */
final class Replicas {
    private Replicas() {
    }

    static List<Replica> three() {
        return List.of(q -> "a:" + q, q -> "b:" + q, q -> "c:" + q);
    }
}
