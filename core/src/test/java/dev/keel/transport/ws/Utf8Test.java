package dev.keel.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Utf8Test {
  private static boolean valid(String hex) {
    return Utf8.isValid(HexFormat.of().parseHex(hex));
  }

  @Test
  void validSequences_ofEveryLength_areAccepted() {
    assertThat(valid("")).as("empty").isTrue();
    assertThat(valid("7f")).as("ASCII").isTrue();
    assertThat(valid("c280")).as("U+0080").isTrue();
    assertThat(valid("dfbf")).as("U+07FF").isTrue();
    assertThat(valid("e0a080")).as("U+0800").isTrue();
    assertThat(valid("ed9fbf")).as("U+D7FF, below the surrogates").isTrue();
    assertThat(valid("ee8080")).as("U+E000, above them").isTrue();
    assertThat(valid("efbfbf")).as("U+FFFF").isTrue();
    assertThat(valid("f0908080")).as("U+10000").isTrue();
    assertThat(valid("f48fbfbf")).as("U+10FFFF").isTrue();
    assertThat(Utf8.isValid("κόσμε and \uD83C\uDF89".getBytes(StandardCharsets.UTF_8))).as("text").isTrue();
  }

  @Test
  void invalidSequences_areRefused() {
    assertThat(valid("80")).as("a lone continuation byte").isFalse();
    assertThat(valid("c0af")).as("overlong /, 2 bytes").isFalse();
    assertThat(valid("c1bf")).as("overlong, 2 bytes").isFalse();
    assertThat(valid("e080af")).as("overlong, 3 bytes").isFalse();
    assertThat(valid("f08080af")).as("overlong, 4 bytes").isFalse();
    assertThat(valid("eda080")).as("U+D800").isFalse();
    assertThat(valid("edbfbf")).as("U+DFFF").isFalse();
    assertThat(valid("f4908080")).as("U+110000").isFalse();
    assertThat(valid("f5808080")).as("lead byte F5").isFalse();
    assertThat(valid("fe")).as("FE").isFalse();
    assertThat(valid("ff")).as("FF").isFalse();
    assertThat(valid("e282")).as("cut short at the end").isFalse();
    assertThat(valid("e2ac41")).as("a non-continuation byte inside").isFalse();
  }

  @Test
  void agreesWithTheJdksStrictDecoder_onRandomBytes() {
    SplittableRandom random = new SplittableRandom(6455);
    for (int i = 0; i < 20_000; i++) {
      byte[] b = new byte[random.nextInt(12)];
      for (int k = 0; k < b.length; k++) {
        b[k] = (byte) (random.nextBoolean() ? random.nextInt(0x80, 0x100) : random.nextInt(256));
      }
      assertThat(Utf8.isValid(b)).as("bytes %s", HexFormat.of().formatHex(b)).isEqualTo(jdk(b));
    }
  }

  private static boolean jdk(byte[] b) {
    try {
      StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(b));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }
}
