package dev.leakhound.proof;

/** Why a candidate may still wake: the words, and the object whose reachability says so (where its path leads). */
record Reason(String text, long target) {
}
