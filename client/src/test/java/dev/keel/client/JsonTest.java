package dev.keel.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The client's small JSON reader: fields as raw text, data handed on exactly as written. */
class JsonTest {
  @Test
  void object_keepsEachFieldsRawText() {
    Map<String, String> f = Json.object(
        "{\"op\":\"msg\",\"topic\":\"news\",\"seq\":42,\"data\":{\"t\":\"a \\\"b\\\" }\",\"n\":[1,2,{\"x\":null}],\"d\":1.50}}");
    assertThat(Json.unquote(f.get("op"))).as("op").isEqualTo("msg");
    assertThat(Json.longOr(f.get("seq"), -1)).as("seq").isEqualTo(42);
    assertThat(f.get("data")).as("data as the server wrote it")
        .isEqualTo("{\"t\":\"a \\\"b\\\" }\",\"n\":[1,2,{\"x\":null}],\"d\":1.50}");
  }

  @Test
  void unquote_resolvesEscapes_andQuoteRoundTrips() {
    assertThat(Json.unquote("\"a\\n\\u00e9\\\\\"")).as("escapes").isEqualTo("a\né\\");
    String s = "q\"uote\\ \n\t\u0001";
    assertThat(Json.unquote(Json.quote(s))).as("round trip").isEqualTo(s);
    assertThat(Json.unquote("12")).as("not a string").isNull();
  }

  @Test
  void object_refusesWhatIsNotAnObject() {
    assertThatThrownBy(() -> Json.object("[1,2]")).as("an array").isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Json.object("{\"a\":1")).as("cut short").isInstanceOf(IllegalArgumentException.class);
  }
}
