package gov.va.eventbus.avrocompat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.NameValidator;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

/**
 * Compatibility verdicts of Apache Avro Java with Confluent Schema Registry's mode logic.
 *
 * <p>Reads JSON lines {@code {"id": ..., "mode": "BACKWARD", "schemas": [v1, ..., new]}} (schema
 * texts, oldest first, the new one last) and writes one line per input:
 * {@code {"id": ..., "verdict": "compatible" | "incompatible" | "invalid", "index": i, "detail": ...}}.
 * As the registry does, the new schema is parsed with strict names and default validation on
 * (in every mode, NONE included) and the previous ones as it holds them (defaults not
 * validated); a check that throws counts as incompatible. "index" of an invalid schema is 0 for
 * the new one and 1.. for the history (oldest first).
 */
public final class Main {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Main() {}

  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode req = JSON.readTree(line);
      ObjectNode res = JSON.createObjectNode();
      res.set("id", req.get("id"));
      List<String> texts = new ArrayList<>();
      req.get("schemas").forEach(n -> texts.add(n.textValue()));
      answer(req.get("mode").textValue(), texts, res);
      out.write(JSON.writeValueAsString(res));
      out.write('\n');
      out.flush();
    }
  }

  static Schema parse(String text, boolean asNew) {
    Schema.Parser parser = new Schema.Parser(NameValidator.STRICT_VALIDATOR);
    parser.setValidateDefaults(asNew);
    return parser.parse(text);
  }

  static void answer(String mode, List<String> texts, ObjectNode res) {
    int n = texts.size() - 1;
    Schema fresh;
    List<Schema> history = new ArrayList<>();
    int at = 0;
    try {
      fresh = parse(texts.get(n), true);
      for (at = 1; at <= n; at++) {
        history.add(parse(texts.get(at - 1), false));
      }
    } catch (Exception | StackOverflowError e) {
      res.put("verdict", "invalid");
      res.put("index", at);
      res.put("detail", e.getClass().getSimpleName() + ": " + firstLine(e.getMessage()));
      return;
    }
    List<String> problems = new ArrayList<>();
    if (!mode.equals("NONE") && n > 0) {
      boolean transitive = mode.endsWith("_TRANSITIVE");
      String base = mode.replace("_TRANSITIVE", "");
      boolean backward = base.equals("BACKWARD") || base.equals("FULL");
      boolean forward = base.equals("FORWARD") || base.equals("FULL");
      for (int i = n - 1; i >= (transitive ? 0 : n - 1); i--) {
        if (backward) {
          problems.addAll(check(fresh, history.get(i), "backward v" + (i + 1)));
        }
        if (forward) {
          problems.addAll(check(history.get(i), fresh, "forward v" + (i + 1)));
        }
      }
    }
    res.put("verdict", problems.isEmpty() ? "compatible" : "incompatible");
    res.put("detail", String.join("; ", problems));
  }

  /** Confluent's AvroSchema.isBackwardCompatible: the incompatibilities, or the exception. */
  static List<String> check(Schema reader, Schema writer, String what) {
    List<String> out = new ArrayList<>();
    try {
      SchemaCompatibility.SchemaPairCompatibility r =
          SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
      for (SchemaCompatibility.Incompatibility inc : r.getResult().getIncompatibilities()) {
        out.add(what + " " + inc.getType() + " at " + inc.getLocation() + ": " + inc.getMessage());
      }
    } catch (Exception | StackOverflowError e) {
      out.add(what + " exception " + e.getClass().getSimpleName() + ": " + firstLine(e.getMessage()));
    }
    return out;
  }

  static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    String line = nl < 0 ? s : s.substring(0, nl);
    return line.length() > 300 ? line.substring(0, 300) : line;
  }
}
