package dev.kairos.runtime.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.sdk.oip.InvalidInputException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClosedException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/** The intake alone, in an embedded pipeline, with a stand-in for Vert.x and the body's reader. */
class BinaryIntakeTest {
  private static final long MAX = 1000;

  /** Stands for Vert.x and {@link InferenceBody#read}: accepts what is offered, if told to. */
  private static final class Reader extends ChannelInboundHandlerAdapter {
    final boolean accept;
    final List<Future<Void>> bodies = new ArrayList<>();
    byte[] json;
    ByteBuffer binary;

    Reader(boolean accept) {
      this.accept = accept;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof HttpRequest req && accept) {
        String mark = req.headers().get(BinaryIntake.MARKER);
        BinaryIntake intake = (BinaryIntake) ctx.pipeline().get(BinaryIntake.NAME);
        BodyCapture offer = mark == null ? null : intake.offered(mark);
        if (offer != null) {
          int jsonLength = Integer.parseInt(req.headers().get(RuntimeServer.HEADER_LENGTH).trim());
          json = new byte[jsonLength];
          binary = ByteBuffer.allocate(offer.length() - jsonLength);
          bodies.add(offer.receiveInto(json, binary.duplicate()));
        }
      }
      ctx.fireChannelRead(msg);
    }
  }

  private final LongAdder captured = new LongAdder();

  private EmbeddedChannel channel(Reader reader) {
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.pipeline().addLast(BinaryIntake.NAME, new BinaryIntake(MAX, captured)).addLast(reader);
    return ch;
  }

  private static HttpRequest binaryRequest(String uri, long length, int jsonLength) {
    HttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, uri);
    req.headers().set("Content-Length", length);
    req.headers().set(RuntimeServer.HEADER_LENGTH, jsonLength);
    return req;
  }

  private static ByteBuf bytes(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
  }

  private static List<Object> inbound(EmbeddedChannel ch) {
    List<Object> out = new ArrayList<>();
    for (Object m; (m = ch.readInbound()) != null; ) {
      out.add(m);
    }
    return out;
  }

  @Test
  void shouldCopyAnAcceptedBodyAndPassVertxOnlyTheRequestAndAnEmptyEnd() {
    Reader reader = new Reader(true);
    EmbeddedChannel ch = channel(reader);
    HttpRequest req = binaryRequest("/v2/models/m/infer", 15, 7);
    DefaultHttpContent first = new DefaultHttpContent(bytes("{\"a\""));
    DefaultHttpContent second = new DefaultHttpContent(bytes(":1}0123"));
    DefaultLastHttpContent last = new DefaultLastHttpContent(bytes("4567"));

    ch.writeInbound(req, first, second, last);

    assertThat(inbound(ch)).containsExactly(req, LastHttpContent.EMPTY_LAST_CONTENT);
    assertThat(reader.bodies).hasSize(1);
    assertThat(reader.bodies.get(0).succeeded()).isTrue();
    assertThat(new String(reader.json, StandardCharsets.US_ASCII)).isEqualTo("{\"a\":1}");
    assertThat(StandardCharsets.US_ASCII.decode(reader.binary).toString()).isEqualTo("01234567");
    assertThat(List.of(first.refCnt(), second.refCnt(), last.refCnt())).containsOnly(0);
    assertThat(captured.sum()).isEqualTo(1);
  }

  @Test
  void shouldFailNamingBothLengthsWhenTheBodyEndsShort() {
    Reader reader = new Reader(true);
    EmbeddedChannel ch = channel(reader);
    ch.writeInbound(
        binaryRequest("/v2/models/m/versions/2/infer", 20, 2),
        new DefaultHttpContent(bytes("{}0123456789")),
        LastHttpContent.EMPTY_LAST_CONTENT);

    Future<Void> body = reader.bodies.get(0);
    assertThat(body.failed()).isTrue();
    assertThat(body.cause())
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("body has 12 bytes, Content-Length said 20");
  }

  @Test
  void shouldFailTheBodyWhenTheConnectionClosesMidway() {
    Reader reader = new Reader(true);
    EmbeddedChannel ch = channel(reader);
    ch.writeInbound(
        binaryRequest("/v2/models/m/infer", 20, 2), new DefaultHttpContent(bytes("{}01234")));
    assertThat(reader.bodies.get(0).isComplete()).isFalse();

    ch.close();

    assertThat(reader.bodies.get(0).cause())
        .isInstanceOf(HttpClosedException.class)
        .hasMessage("connection closed after 7 of the body's 20 bytes");
  }

  @Test
  void shouldFailTheBodyAndLeaveAMalformedPieceToVertx() {
    Reader reader = new Reader(true);
    EmbeddedChannel ch = channel(reader);
    HttpRequest req = binaryRequest("/v2/models/m/infer", 20, 2);
    DefaultHttpContent bad = new DefaultHttpContent(bytes("{}01"));
    bad.setDecoderResult(DecoderResult.failure(new IllegalArgumentException("bad framing")));

    ch.writeInbound(req, bad);

    assertThat(reader.bodies.get(0).cause()).hasMessage("malformed body");
    assertThat(inbound(ch)).containsExactly(req, bad);
    bad.release();
  }

  @Test
  void shouldPassTheBodyOnToVertxWhenNobodyAcceptsIt() {
    EmbeddedChannel ch = channel(new Reader(false));
    HttpRequest req = binaryRequest("/v2/models/m/infer", 6, 2);
    DefaultHttpContent content = new DefaultHttpContent(bytes("{}01"));
    DefaultLastHttpContent last = new DefaultLastHttpContent(bytes("23"));

    ch.writeInbound(req, content, last);

    assertThat(inbound(ch)).containsExactly(req, content, last);
    assertThat(content.refCnt()).isEqualTo(1);
    assertThat(captured.sum()).isZero();
    content.release();
    last.release();
  }

  @Test
  void shouldLeaveOtherRequestsAloneAndStripTheMarkerAClientSends() {
    Reader reader = new Reader(true);
    EmbeddedChannel ch = channel(reader);
    HttpRequest get =
        new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/v2/health/ready");
    get.headers().set(BinaryIntake.MARKER, "1");
    HttpRequest json =
        new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/v2/models/m/infer");
    json.headers().set("Content-Length", 2).set(BinaryIntake.MARKER, "2");
    HttpRequest tooLarge = binaryRequest("/v2/models/m/infer", MAX + 1, 2);
    HttpRequest repository = binaryRequest("/v2/repository/models/m/load", 6, 2);
    HttpRequest chunked = binaryRequest("/v2/models/m/infer", 6, 2);
    chunked.headers().remove("Content-Length").set("Transfer-Encoding", "chunked");

    ch.writeInbound(get, json, tooLarge, repository, chunked);

    assertThat(inbound(ch)).containsExactly(get, json, tooLarge, repository, chunked);
    for (HttpRequest r : List.of(get, json, tooLarge, repository, chunked)) {
      assertThat(r.headers().contains(BinaryIntake.MARKER)).as(r.uri()).isFalse();
    }
    assertThat(reader.bodies).isEmpty();
  }
}
