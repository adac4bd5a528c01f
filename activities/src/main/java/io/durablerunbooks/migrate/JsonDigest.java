package io.durablerunbooks.migrate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The JSON part of a row's checksum, computed on the worker from the text each database sends
 * (MySQL's as stored, PostgreSQL's {@code jsonb} output): both are parsed and written again in one
 * normal form (keys sorted, no spaces, numbers as exact decimals without trailing zeros, strings with
 * their escapes resolved), so equal JSON hashes equal whichever way it was written. Neither engine
 * can render the other's normal form cheaply; PostgreSQL's functions for it cost more than the copy.
 */
final class JsonDigest {

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
          .build();

  private final MessageDigest md5;
  private final StringBuilder text = new StringBuilder(256);

  JsonDigest() {
    try {
      this.md5 = MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is part of every Java runtime", e);
    }
  }

  /**
   * The first 64 bits of the MD5 of a row's key and its JSON values in normal form (NULL as
   * {@code N}; text that does not parse as JSON kept as it is, marked, so it still compares).
   */
  long digest(String key, List<String> values) {
    text.setLength(0);
    text.append(key);
    for (String value : values) {
      text.append('\u0000');
      if (value == null) {
        text.append('N');
      } else {
        try {
          write(JSON.readTree(value));
        } catch (JsonProcessingException e) {
          text.append('!').append(value);
        }
      }
    }
    byte[] d = md5.digest(text.toString().getBytes(StandardCharsets.UTF_8));
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (d[i] & 0xff);
    }
    return v;
  }

  private void write(JsonNode node) {
    if (node.isObject()) {
      List<Map.Entry<String, JsonNode>> entries = new ArrayList<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        entries.add(it.next());
      }
      entries.sort(Map.Entry.comparingByKey());
      text.append('{');
      for (int i = 0; i < entries.size(); i++) {
        if (i > 0) {
          text.append(',');
        }
        quote(entries.get(i).getKey());
        text.append(':');
        write(entries.get(i).getValue());
      }
      text.append('}');
    } else if (node.isArray()) {
      text.append('[');
      for (int i = 0; i < node.size(); i++) {
        if (i > 0) {
          text.append(',');
        }
        write(node.get(i));
      }
      text.append(']');
    } else if (node.isNumber()) {
      BigDecimal n = node.decimalValue();
      text.append(n.signum() == 0 ? "0" : n.stripTrailingZeros().toString());
    } else if (node.isTextual()) {
      quote(node.textValue());
    } else {
      text.append(node.asText());
    }
  }

  /** A string with only the escapes that keep the text unambiguous: quote, backslash, controls. */
  private void quote(String s) {
    text.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        text.append('\\').append(c);
      } else if (c < 0x20) {
        text.append("\\u").append(String.format("%04x", (int) c));
      } else {
        text.append(c);
      }
    }
    text.append('"');
  }
}
