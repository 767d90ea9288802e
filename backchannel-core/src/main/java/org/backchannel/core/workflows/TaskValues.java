package org.backchannel.core.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.function.Function;

/** Checks task values against their field's type and brings them to one form. */
public final class TaskValues {
  static final int MAX_TEXT = 10_000;

  private TaskValues() {}

  /**
   * The text a value is compared by, in filters and Unique IDs: numbers in plain decimal form
   * without trailing zeros, everything else as its text.
   */
  public static String key(JsonNode value) {
    if (value.isNumber()) {
      return value.decimalValue().stripTrailingZeros().toPlainString();
    }
    return value.asText();
  }

  /**
   * The value in its one form, or an {@link IllegalArgumentException} whose message is the reason
   * it is not valid. {@code people} turns an email or a user id into a workspace member's email, or
   * null when nobody matches; when {@code people} is null, any email is taken as it is. Numbers and
   * booleans may be given as text, as query parameters are.
   */
  static JsonNode normalize(FieldDef field, JsonNode raw, Function<JsonNode, String> people) {
    return switch (field.type()) {
      case TEXT -> {
        String text = text(raw, "must be text");
        if (text.length() > MAX_TEXT) {
          throw new IllegalArgumentException("must be at most " + MAX_TEXT + " characters");
        }
        yield TextNode.valueOf(text);
      }
      case NUMBER -> number(raw);
      case BOOLEAN -> {
        if (raw.isBoolean()) {
          yield raw;
        }
        String text = text(raw, "must be true or false");
        if (!text.equals("true") && !text.equals("false")) {
          throw new IllegalArgumentException("must be true or false");
        }
        yield BooleanNode.valueOf(text.equals("true"));
      }
      case DATE -> {
        String text = text(raw, "must be a date such as 2026-01-31");
        try {
          yield TextNode.valueOf(LocalDate.parse(text).toString());
        } catch (DateTimeParseException e) {
          throw new IllegalArgumentException("must be a date such as 2026-01-31");
        }
      }
      case PERSON -> {
        if (!raw.isTextual() && !raw.isIntegralNumber()) {
          throw new IllegalArgumentException("must be a person's email or user id");
        }
        if (people == null) {
          if (!raw.isTextual() || !raw.asText().matches("[^@\\s]+@[^@\\s]+")) {
            throw new IllegalArgumentException("must be a person's email");
          }
          yield raw;
        }
        String email = people.apply(raw);
        if (email == null) {
          throw new IllegalArgumentException("must be a person in this workspace");
        }
        yield TextNode.valueOf(email);
      }
      case CHOICE -> {
        String text = text(raw, "must be one of " + field.choices());
        if (!field.choices().contains(text)) {
          throw new IllegalArgumentException("must be one of " + field.choices());
        }
        yield TextNode.valueOf(text);
      }
    };
  }

  private static String text(JsonNode raw, String reason) {
    if (!raw.isTextual()) {
      throw new IllegalArgumentException(reason);
    }
    return raw.asText();
  }

  private static JsonNode number(JsonNode raw) {
    BigDecimal value;
    if (raw.isNumber()) {
      value = raw.decimalValue();
    } else if (raw.isTextual()) {
      try {
        value = new BigDecimal(raw.asText().strip());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("must be a number");
      }
    } else {
      throw new IllegalArgumentException("must be a number");
    }
    // Beyond what a double holds, the number would be stored and sent as "Infinity": refused, as
    // "Infinity" and "NaN" themselves are.
    if (!Double.isFinite(value.doubleValue())) {
      throw new IllegalArgumentException("must be a finite number");
    }
    value = value.stripTrailingZeros();
    if (value.scale() <= 0) {
      try {
        return LongNode.valueOf(value.longValueExact());
      } catch (ArithmeticException e) {
        // too large for a long: kept as a decimal
      }
    }
    return DecimalNode.valueOf(value);
  }
}
