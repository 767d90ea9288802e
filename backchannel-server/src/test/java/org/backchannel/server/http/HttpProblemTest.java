package org.backchannel.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.backchannel.core.Problem;
import org.junit.jupiter.api.Test;

final class HttpProblemTest {
  @Test
  void eachKindOfProblemHasItsOwnStatus() {
    assertThat(HttpProblem.of(Problem.Invalid.of("name", "is required")).status()).isEqualTo(400);
    assertThat(HttpProblem.of(Problem.Unprocessable.of("stage", "is final")).status())
        .isEqualTo(422);
    assertThat(HttpProblem.of(new Problem.Unauthorized("no token")).status()).isEqualTo(401);
    assertThat(HttpProblem.of(new Problem.Forbidden("admins only")).status()).isEqualTo(403);
    assertThat(HttpProblem.of(new Problem.NotFound("flow 9")).status()).isEqualTo(404);
    assertThat(HttpProblem.of(new Problem.Conflict("taken")).status()).isEqualTo(409);
  }

  @Test
  void problemsAboutFieldsNameEachFieldAndReason() {
    HttpProblem p = HttpProblem.of(Problem.Unprocessable.of("stage", "is final"));
    assertThat(p.hasFields()).isTrue();
    assertThat(p.reasons()).isEqualTo("stage is final");
    assertThat(HttpProblem.of(new Problem.NotFound("flow 9")).hasFields()).isFalse();
  }
}
