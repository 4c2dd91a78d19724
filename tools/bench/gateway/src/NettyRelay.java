import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * NOT the gateway: a measuring stick for the next lever. A bare Netty HTTP/1.1 relay (HttpObject
 * passthrough, one upstream keep-alive connection per client connection, no routing, no limits,
 * no metrics) on one epoll event loop, to show what the forwarding itself costs on this machine
 * without Vert.x's request/response/client layers.
 *
 * <p>Usage: {@code java -cp <gateway classpath> NettyRelay <port> <backendPort>}
 */
public final class NettyRelay {
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    int backend = Integer.parseInt(args[1]);
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    Bootstrap upstream =
        new Bootstrap()
            .group(group)
            .channel(EpollSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline().addLast(new HttpClientCodec(), new Back());
                  }
                });
    new ServerBootstrap()
        .group(group)
        .channel(EpollServerSocketChannel.class)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(
            new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new HttpServerCodec(), new Front(upstream, backend));
              }
            })
        .bind("127.0.0.1", port)
        .sync();
    System.out.println("netty relay on 127.0.0.1:" + port);
  }

  /** Client side: forwards request objects to this connection's upstream channel. */
  static final class Front extends ChannelInboundHandlerAdapter {
    private final Bootstrap bootstrap;
    private final int backend;
    private Channel up;
    private ArrayDeque<Object> pending;

    Front(Bootstrap bootstrap, int backend) {
      this.bootstrap = bootstrap;
      this.backend = backend;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (up != null && up.isActive()) {
        if (msg instanceof LastHttpContent) {
          up.writeAndFlush(msg, up.voidPromise());
        } else {
          up.write(msg, up.voidPromise());
        }
        return;
      }
      if (pending == null) {
        pending = new ArrayDeque<>();
        ChannelFuture f = bootstrap.connect("127.0.0.1", backend);
        up = f.channel();
        f.addListener(
            x -> {
              if (!x.isSuccess()) {
                ctx.close();
                return;
              }
              up.attr(Back.CLIENT).set(ctx.channel());
              Object m;
              while ((m = pending.poll()) != null) {
                up.write(m);
              }
              up.flush();
              pending = null;
            });
      }
      pending.add(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (up != null) {
        up.close();
      }
    }
  }

  /** Upstream side: forwards response objects back to the client connection. */
  static final class Back extends ChannelInboundHandlerAdapter {
    static final io.netty.util.AttributeKey<Channel> CLIENT =
        io.netty.util.AttributeKey.valueOf("client");

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      Channel client = ctx.channel().attr(CLIENT).get();
      if (client == null) {
        ReferenceCountUtil.release(msg);
        return;
      }
      if (msg instanceof LastHttpContent) {
        client.writeAndFlush(msg, client.voidPromise());
      } else {
        client.write(msg, client.voidPromise());
      }
    }
  }
}
