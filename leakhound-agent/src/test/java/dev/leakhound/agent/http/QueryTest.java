package dev.leakhound.agent.http;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class QueryTest {
    @Test
    void readsKnownParameters() {
        Query q = Query.parse("debug=2&diff&top=%31%30", Set.of("debug", "diff", "top"));
        assertThat(q.intParam("debug", 1, 0, 2)).isEqualTo(2);
        assertThat(q.flag("diff")).isTrue();
        assertThat(q.intParam("top", 5, 1, 100)).isEqualTo(10);
        assertThat(Query.parse(null, Set.of()).asMap()).isEmpty();
        assertThat(Query.parse("debug=1", Set.of("debug")).choice("format", "text", "text", "json")).isEqualTo("text");
    }

    @Test
    void refusesAnythingElseWithOneLine() {
        assertThatThrownBy(() -> Query.parse("x=1", Set.of("debug", "format")))
                .isInstanceOf(Query.BadRequest.class).hasMessage("unknown parameter 'x' (accepted: debug, format)");
        assertThatThrownBy(() -> Query.parse("x=1", Set.of())).hasMessage("unknown parameter 'x': this endpoint takes none");
        assertThatThrownBy(() -> Query.parse("debug=1&debug=2", Set.of("debug"))).hasMessage("parameter 'debug' given twice");
        assertThatThrownBy(() -> Query.parse("a=%zz", Set.of("a"))).hasMessage("badly encoded query parameter");
        assertThatThrownBy(() -> Query.parse("a=" + "x".repeat(2000), Set.of("a"))).hasMessage("query longer than 1024 characters");
        assertThatThrownBy(() -> Query.parse("debug=7", Set.of("debug")).intParam("debug", 1, 0, 2))
                .hasMessage("debug=7: expected a number from 0 to 2");
        assertThatThrownBy(() -> Query.parse("debug=%0Aevil", Set.of("debug")).intParam("debug", 1, 0, 2))
                .hasMessage("debug=?evil: expected a number from 0 to 2");
        assertThatThrownBy(() -> Query.parse("format=xml", Set.of("format")).choice("format", "text", "text", "json"))
                .hasMessage("format=xml: expected text or json");
    }
}
