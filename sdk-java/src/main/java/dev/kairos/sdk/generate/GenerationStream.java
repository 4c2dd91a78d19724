package dev.kairos.sdk.generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.function.Consumer;

/**
 * A generation in progress: its events go to a callback as the server sends them (one line
 * requested at a time, so a slow callback slows the server's stream rather than fill memory), and
 * {@link #done()} completes with the whole text. {@link #cancel()} closes the connection, which
 * cancels the sequence on the server.
 */
public final class GenerationStream {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final CompletableFuture<String> done = new CompletableFuture<>();
  private final GenerationRequest request;
  private final Consumer<GenerationEvent> onEvent;
  private final StringBuilder text = new StringBuilder();
  private volatile Flow.Subscription subscription;
  private volatile boolean cancelled;
  private int status;
  private final StringBuilder data = new StringBuilder();
  private final StringBuilder errorBody = new StringBuilder();

  private GenerationStream(GenerationRequest request, Consumer<GenerationEvent> onEvent) {
    this.request = request;
    this.onEvent = onEvent;
  }

  /**
   * Sends {@code request} to the server at {@code base} and streams its events to {@code onEvent}.
   *
   * @param headers sent with the request (an {@code Authorization} header, say)
   * @param idle how long the stream may stay silent, before its first byte or between events
   */
  public static GenerationStream start(
      HttpClient http,
      URI base,
      Map<String, String> headers,
      GenerationRequest request,
      Duration idle,
      Consumer<GenerationEvent> onEvent) {
    GenerationStream s = new GenerationStream(request, onEvent);
    HttpRequest.Builder r =
        HttpRequest.newBuilder(URI.create(base.toString() + request.path()))
            .timeout(idle)
            .header("Content-Type", "application/json")
            .header("Accept", "text/event-stream")
            .POST(HttpRequest.BodyPublishers.ofByteArray(request.body()));
    headers.forEach(r::header);
    http.sendAsync(r.build(), info -> s.lines(info))
        .whenComplete(
            (resp, err) -> {
              if (err != null) {
                s.fail(new GenerationException(0, request.path() + ": " + rootMessage(err), err));
              }
            });
    return s;
  }

  private HttpResponse.BodySubscriber<Void> lines(HttpResponse.ResponseInfo info) {
    status = info.statusCode();
    return HttpResponse.BodySubscribers.fromLineSubscriber(
        new Flow.Subscriber<String>() {
          @Override
          public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (cancelled) {
              s.cancel();
            } else {
              s.request(1);
            }
          }

          @Override
          public void onNext(String line) {
            try {
              line(line);
            } catch (RuntimeException e) {
              fail(e);
              subscription.cancel();
              return;
            }
            if (!done.isDone()) {
              subscription.request(1);
            } else {
              subscription.cancel();
            }
          }

          @Override
          public void onError(Throwable t) {
            fail(
                cancelled
                    ? new java.util.concurrent.CancellationException("cancelled")
                    : new GenerationException(
                        status, request.path() + ": the stream broke off: " + rootMessage(t), t));
          }

          @Override
          public void onComplete() {
            if (status != 200) {
              fail(GenerationException.of(status, errorBody.toString(), request.path()));
            } else if (request.api() != GenerationRequest.Api.GENERATE) {
              // OpenAI streams end with [DONE]; one that ends without it was cut short.
              fail(
                  new GenerationException(
                      status, request.path() + ": the stream ended before [DONE]", null));
            } else {
              done.complete(text.toString());
            }
          }
        });
  }

  private void line(String line) {
    if (status != 200) {
      errorBody.append(line);
      return;
    }
    if (line.startsWith("data:")) {
      if (data.length() > 0) {
        data.append('\n');
      }
      data.append(line.substring(line.length() > 5 && line.charAt(5) == ' ' ? 6 : 5));
    } else if (line.isEmpty() && data.length() > 0) {
      String payload = data.toString();
      data.setLength(0);
      event(payload);
    }
  }

  private void event(String payload) {
    if (payload.equals("[DONE]")) {
      done.complete(text.toString());
      return;
    }
    JsonNode e;
    try {
      e = JSON.readTree(payload);
    } catch (java.io.IOException ex) {
      throw new GenerationException(status, "an event is not JSON: " + payload, ex);
    }
    JsonNode error = e.get("error");
    if (error != null) {
      String message = error.isObject() ? error.path("message").asText() : error.asText();
      throw new GenerationException(status, request.path() + ": " + message, null);
    }
    String delta =
        switch (request.api()) {
          case COMPLETION -> e.at("/choices/0/text").asText("");
          case CHAT -> e.at("/choices/0/delta/content").asText("");
          case GENERATE -> e.path("text_output").asText("");
        };
    text.append(delta);
    onEvent.accept(new GenerationEvent(delta, payload));
  }

  private void fail(Throwable t) {
    done.completeExceptionally(t);
  }

  /**
   * Completes with the whole generated text, or exceptionally with a {@link GenerationException}.
   */
  public CompletableFuture<String> done() {
    return done;
  }

  /** Stops reading and closes the connection: the server cancels the sequence. */
  public void cancel() {
    cancelled = true;
    Flow.Subscription s = subscription;
    if (s != null) {
      s.cancel();
    }
    done.completeExceptionally(new java.util.concurrent.CancellationException("cancelled"));
  }

  private static String rootMessage(Throwable t) {
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }
}
