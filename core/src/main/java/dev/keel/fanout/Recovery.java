package dev.keel.fanout;

/**
 * What a subscription with a position got: the stream's current epoch and last seq (live messages
 * follow it), whether recovery was attempted and worked, and if not, why.
 *
 * @param failure null when recovered or not attempted
 */
public record Recovery(String epoch, long seq, boolean attempted, boolean recovered, RecoveryFailure failure) {
  static Recovery positionOnly(String epoch, long seq) {
    return new Recovery(epoch, seq, false, false, null);
  }
}
