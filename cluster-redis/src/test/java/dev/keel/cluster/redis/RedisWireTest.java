package dev.keel.cluster.redis;

import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The wire format on its own: names, scripts' keys, and what the parser takes and refuses. */
class RedisWireTest {
  @Test
  void names_channelAndCounterOfATopic_carryTheNameAsItIs() {
    assertThat(text(RedisWire.channel("news/eu-1"))).as("channel").isEqualTo("keel:topic:news/eu-1");
    assertThat(text(RedisWire.seqKey("news/eu-1"))).as("counter").isEqualTo("keel:seq:news/eu-1");
    byte[][] keys = RedisWire.publishKeys("t");
    assertThat(keys).as("publish script KEYS").hasNumberOfRows(4);
    assertThat(text(keys[0])).as("KEYS[1], the counter INCR raises").isEqualTo("keel:seq:t");
    assertThat(text(keys[1])).as("KEYS[2], the channel PUBLISH uses").isEqualTo("keel:topic:t");
    assertThat(text(keys[2])).as("KEYS[3], the stream XADD appends to").isEqualTo("keel:history:t");
    assertThat(text(keys[3])).as("KEYS[4], the epoch").isEqualTo("keel:epoch:t");
    byte[][] stream = RedisWire.streamKeys("t");
    assertThat(stream).as("floor and recover KEYS").hasNumberOfRows(3);
    assertThat(text(stream[0]) + " " + text(stream[1]) + " " + text(stream[2])).as("counter, stream, epoch")
        .isEqualTo("keel:seq:t keel:history:t keel:epoch:t");
    assertThat(text(RedisWire.floorArgs(Long.MAX_VALUE, "e")[0])).as("floor ARGV[1]").isEqualTo("9223372036854775807");
    byte[][] pub = RedisWire.publishArgs(bytes("{}"), 100, 120_000, "e1");
    assertThat(text(pub[0]) + " " + text(pub[1]) + " " + text(pub[2]) + " " + text(pub[3]))
        .as("publish ARGV: data, MAXLEN, TTL ms, epoch candidate").isEqualTo("{} 100 120000 e1");
    byte[][] rec = RedisWire.recoverArgs(41, 100, 120_000, "e2");
    assertThat(text(rec[0]) + " " + text(rec[1]) + " " + text(rec[2]) + " " + text(rec[3]))
        .as("recover ARGV: after, max, TTL ms, epoch candidate").isEqualTo("41 100 120000 e2");
  }

  @Test
  void read_recoverScriptAnswer_givesEpochLastExpiredAndKeptMessages() {
    RedisWire.Read r = RedisWire.read(List.of(bytes("e1"), 45L, 0L, 44L, bytes("{\"a\":1}"), 45L, bytes("2")));
    assertThat(r.epoch()).as("epoch").isEqualTo("e1");
    assertThat(r.lastSeq()).as("last seq").isEqualTo(45);
    assertThat(r.expired()).as("expired").isFalse();
    assertThat(r.seqs()).as("kept seqs").containsExactly(44, 45);
    assertThat(text(r.data().get(0))).as("kept data").isEqualTo("{\"a\":1}");
    assertThat(RedisWire.read(List.of(bytes("e1"), 45L, 1L)).expired()).as("expired flag").isTrue();
    assertThatThrownBy(() -> RedisWire.read(List.of(bytes("e1"), 45L))).as("too short")
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RedisWire.read(List.of(bytes("e1"), 45L, 0L, 44L))).as("a seq without data")
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RedisWire.read(List.of(bytes("e1"), 45L, 0L, bytes("44"), bytes("x"))))
        .as("a seq that is not an integer").isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void scripts_useTheKeysInTheOrderTheHelpersGiveThem() {
    assertThat(RedisWire.PUBLISH_SCRIPT).as("INCR on the counter, XADD, PUBLISH \"SEQ EPOCH DATA\" on the channel")
        .contains("generation(KEYS[1], KEYS[3], KEYS[4], ARGV[4])").contains("redis.call('INCR', KEYS[1])")
        .contains("redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[2], s .. '-0', 'd', ARGV[1]")
        .contains("redis.call('PEXPIRE', KEYS[3], ARGV[3])")
        .contains("redis.call('PUBLISH', KEYS[2], s .. ' ' .. e .. ' ' .. ARGV[1])");
    assertThat(RedisWire.FLOOR_SCRIPT).as("raises KEYS[1] to ARGV[1], never lowers it, in a new epoch")
        .contains("generation(KEYS[1], KEYS[2], KEYS[3], ARGV[2])")
        .contains("if c < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1]) redis.call('SET', KEYS[3], ARGV[2])");
    assertThat(RedisWire.RECOVER_SCRIPT).as("XRANGE on the stream after ARGV[1]")
        .contains("generation(KEYS[1], KEYS[2], KEYS[3], ARGV[4])")
        .contains("redis.call('XRANGE', KEYS[2], (after + 1) .. '-0', '+', 'COUNT', max)");
  }

  @Test
  void topic_fromItsChannel_roundTripsAndRefusesOtherChannels() {
    assertThat(RedisWire.topic(RedisWire.channel("a.b:c_d-9"))).as("round trip").isEqualTo("a.b:c_d-9");
    assertThat(RedisWire.topic(bytes("keel:topic:"))).as("prefix without a name").isNull();
    assertThat(RedisWire.topic(bytes("keel:seq:t"))).as("a counter's name").isNull();
    assertThat(RedisWire.topic(bytes("other:topic:t"))).as("another prefix").isNull();
    assertThat(RedisWire.topic(bytes("keel:topi"))).as("shorter than the prefix").isNull();
    assertThat(RedisWire.topic(new byte[0])).as("empty").isNull();
  }

  @Test
  void parse_seqSpaceData_givesTopicSeqAndData() {
    RedisWire.Message m = message(RedisWire.parse(RedisWire.channel("orders"), bytes("42 e-1 {\"id\":7}")));
    assertThat(m.topic()).as("topic").isEqualTo("orders");
    assertThat(m.seq()).as("seq").isEqualTo(42);
    assertThat(m.epoch()).as("epoch").isEqualTo("e-1");
    assertThat(text(m.data())).as("data").isEqualTo("{\"id\":7}");
  }

  @Test
  void parse_dataWithSpaces_splitsAtTheFirstSpaceOnly() {
    RedisWire.Message m = message(RedisWire.parse(RedisWire.channel("t"), bytes("7 e  two  spaces ")));
    assertThat(m.seq()).as("seq").isEqualTo(7);
    assertThat(text(m.data())).as("data, every later space kept").isEqualTo(" two  spaces ");
  }

  @Test
  void parse_emptyData_isAMessageWithNoBytes() {
    RedisWire.Message m = message(RedisWire.parse(RedisWire.channel("t"), bytes("1 e ")));
    assertThat(m.seq()).as("seq").isEqualTo(1);
    assertThat(m.data()).as("data").isEmpty();
  }

  @Test
  void parse_binaryData_isCopiedByteForByte() {
    byte[] message = {'3', ' ', 'e', ' ', (byte) 0xff, 0, (byte) 0xc3, (byte) 0xa9};
    RedisWire.Message m = message(RedisWire.parse(RedisWire.channel("t"), message));
    assertThat(m.data()).as("data, non-ASCII and NUL bytes kept").containsExactly((byte) 0xff, 0, (byte) 0xc3, (byte) 0xa9);
    message[4] = 'x';
    assertThat(m.data()[0]).as("a copy: the codec's array may be reused").isEqualTo((byte) 0xff);
  }

  @Test
  void parse_largestSeq_isAccepted() {
    assertThat(message(RedisWire.parse(RedisWire.channel("t"), bytes("9223372036854775807 e x"))).seq())
        .as("Long.MAX_VALUE").isEqualTo(Long.MAX_VALUE);
    assertThat(message(RedisWire.parse(RedisWire.channel("t"), bytes("0009 e x"))).seq())
        .as("leading zeros").isEqualTo(9);
  }

  @Test
  void parse_seqAboveLongMax_isRejected() {
    assertThat(rejected("9223372036854775808 x").reason()).as("Long.MAX_VALUE + 1").contains("fits a long");
    assertThat(rejected("18446744073709551617 x").reason()).as("2^64 + 1 (would wrap to 1)").contains("fits a long");
    assertThat(rejected("99999999999999999999999999 x").reason()).as("26 digits").contains("fits a long");
  }

  @Test
  void parse_malformed_isRejectedWithTheRuleItBroke() {
    assertThat(rejected("42").reason()).as("no space").isEqualTo("no space between seq and data");
    assertThat(rejected("").reason()).as("empty message").isEqualTo("no space between seq and data");
    assertThat(rejected(" data").reason()).as("no seq").isEqualTo("no seq before the space");
    assertThat(rejected("4x2 data").reason()).as("not a number").contains("positive decimal");
    assertThat(rejected("-1 data").reason()).as("a sign (INCR never writes one)").contains("positive decimal");
    assertThat(rejected("+1 data").reason()).as("a plus sign").contains("positive decimal");
    assertThat(rejected("0 data").reason()).as("seq 0 (INCR starts at 1)").contains("positive decimal");
    assertThat(rejected("1.5 data").reason()).as("a fraction").contains("positive decimal");
    assertThat(rejected("1 data").reason()).as("no epoch").isEqualTo("no space between epoch and data");
    assertThat(rejected("1  data").reason()).as("an empty epoch").contains("1 to 64 characters");
    assertThat(rejected("1 " + "e".repeat(65) + " data").reason()).as("a 65-character epoch").contains("1 to 64 characters");
    assertThat(RedisWire.parse(RedisWire.channel("t"), bytes("1 " + "e".repeat(64) + " d")))
        .as("a 64-character epoch").isInstanceOf(RedisWire.Message.class);
    assertThat(rejected("1 e\u0001 data").reason()).as("a control character").contains("printable");
  }

  @Test
  void parse_wrongChannel_isRejectedEvenWithAWellFormedMessage() {
    RedisWire.Rejected r = (RedisWire.Rejected) RedisWire.parse(bytes("other:orders"), bytes("1 x"));
    assertThat(r.channel()).as("the channel, for the log line").isEqualTo("other:orders");
    assertThat(r.reason()).as("reason").startsWith("not a topic channel");
    assertThat(RedisWire.parse(bytes("keel:topic:"), bytes("1 x"))).as("no topic name").isInstanceOf(RedisWire.Rejected.class);
  }

  @Test
  void parse_nonAsciiTopicBytes_isRejectedAndShownEscaped() {
    byte[] channel = "keel:topic:café".getBytes(StandardCharsets.UTF_8);
    assertThat(RedisWire.topic(channel)).as("no topic name has a non-ASCII byte").isNull();
    RedisWire.Rejected r = (RedisWire.Rejected) RedisWire.parse(channel, bytes("1 x"));
    assertThat(r.channel()).as("non-ASCII bytes escaped for the log").isEqualTo("keel:topic:caf\\xc3\\xa9");
    assertThat(r.reason()).as("reason").contains("ASCII");
  }

  private static RedisWire.Rejected rejected(String message) {
    RedisWire.Incoming in = RedisWire.parse(RedisWire.channel("t"), bytes(message));
    assertThat(in).as("parse of \"%s\"", message).isInstanceOf(RedisWire.Rejected.class);
    return (RedisWire.Rejected) in;
  }

  private static RedisWire.Message message(RedisWire.Incoming in) {
    assertThat(in).as("a message to deliver").isInstanceOf(RedisWire.Message.class);
    return (RedisWire.Message) in;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.US_ASCII);
  }
}
