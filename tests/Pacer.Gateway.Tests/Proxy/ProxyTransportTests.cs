using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Pacer.Gateway.Tests.Support;

namespace Pacer.Gateway.Tests.Proxy;

/// <summary>What crosses the gateway, byte for byte, against a recording upstream.</summary>
public sealed class ProxyTransportTests : IAsyncLifetime
{
    private UpstreamGateway _setup = null!;

    public async ValueTask InitializeAsync()
    {
        _setup = await UpstreamGateway.StartAsync(new Dictionary<string, string?>
        {
            ["PACER_MAX_BODY_BYTES"] = "4096",
            ["PACER_STREAM_IDLE_TIMEOUT"] = "500",
            ["ANTHROPIC_MAX_RETRIES"] = "0",
        });
    }

    public ValueTask DisposeAsync() => _setup.DisposeAsync();

    [Fact]
    public async Task Post_MessagesWithQueryAndHeaders_ArrivesIntactWithoutHopByHopOrPacerHeaders()
    {
        var body = """{"model":"claude-sonnet-4-5","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}""";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages?beta=true&x=1")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-api-key", "sk-ant-caller");
        request.Headers.Add("anthropic-version", "2023-06-01");
        request.Headers.Add("anthropic-beta", "a,b");
        request.Headers.Add("x-pacer-endpoint", "/api/generate-scene");
        request.Headers.Add("Keep-Alive", "timeout=5");
        request.Headers.Add("x-custom", "kept");

        using var response = await _setup.Gateway.Client.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var seen = _setup.Upstream.Requests.ShouldHaveSingleItem();
        seen.Method.ShouldBe("POST");
        seen.Path.ShouldBe("/v1/messages");
        seen.Query.ShouldBe("?beta=true&x=1");
        Encoding.UTF8.GetString(seen.Body).ShouldBe(body);
        seen.Headers["x-api-key"].ShouldBe("sk-ant-caller");
        seen.Headers["anthropic-version"].ShouldBe("2023-06-01");
        seen.Headers["anthropic-beta"].ShouldBe("a,b");
        seen.Headers["x-custom"].ShouldBe("kept");
        seen.Headers["content-type"].ShouldBe("application/json; charset=utf-8");
        seen.Headers.ShouldNotContainKey("keep-alive");
        seen.Headers.ShouldNotContainKey("x-pacer-endpoint");
    }

    [Fact]
    public async Task Post_MessagesJsonAnswerLargerThanOneChunk_ArrivesWholeWithLengthAndItsUsageIsLogged()
    {
        // 100 KB of text: more than the relay's 16 KB chunk, so a body written piecemeal would show in the length.
        var text = new string('x', 100_000);
        var answer = $$$"""{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"{{{text}}}"}],"stop_reason":"end_turn","usage":{"input_tokens":11,"output_tokens":13}}""";
        _setup.Upstream.Handler = async context =>
        {
            context.Response.ContentType = "application/json";
            context.Response.Headers["request-id"] = "req_big";
            await context.Response.WriteAsync(answer);
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages")
        {
            Content = new StringContent("""{"model":"claude-sonnet-4-5","max_tokens":10,"messages":[]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-api-key", "sk-ant-caller");

        using var response = await _setup.Gateway.Client.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentLength.ShouldBe(Encoding.UTF8.GetByteCount(answer));
        response.Headers.GetValues("request-id").ShouldBe(["req_big"]);
        (await response.Content.ReadAsStringAsync()).ShouldBe(answer);
        var line = _setup.Gateway.Logs.GetSnapshot().Select(r => r.Message).Single(m => m.StartsWith("POST /v1/messages", StringComparison.Ordinal));
        line.ShouldContain("input_tokens=11 output_tokens=13");
        line.ShouldContain("outcome=ok");
    }

    [Fact]
    public async Task Get_OtherV1Path_PassedThroughWithUpstreamStatusHeadersAndBody()
    {
        _setup.Upstream.Handler = async context =>
        {
            context.Response.StatusCode = 404;
            context.Response.Headers["request-id"] = "req_setup.Upstream_1";
            context.Response.Headers["anthropic-ratelimit-requests-limit"] = "50";
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"type":"error","error":{"type":"not_found_error","message":"model: nope"}}""");
        };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models/nope?limit=2");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "sk-ant-bearer");

        using var response = await _setup.Gateway.Client.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        response.Headers.GetValues("request-id").ShouldBe(["req_setup.Upstream_1"]);
        response.Headers.GetValues("anthropic-ratelimit-requests-limit").ShouldBe(["50"]);
        (await response.Content.ReadAsStringAsync()).ShouldBe("""{"type":"error","error":{"type":"not_found_error","message":"model: nope"}}""");
        var seen = _setup.Upstream.Requests.ShouldHaveSingleItem();
        seen.Method.ShouldBe("GET");
        seen.Path.ShouldBe("/v1/models/nope");
        seen.Headers["authorization"].ShouldBe("Bearer sk-ant-bearer");
    }

    [Fact]
    public async Task Post_NoKey_401AuthenticationErrorWithoutCallingUpstream()
    {
        using var response = await _setup.Gateway.Client.PostAsync("/v1/messages", new StringContent("{}", Encoding.UTF8, "application/json"));

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var error = await ErrorOf(response);
        error.Type.ShouldBe("authentication_error");
        _setup.Upstream.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task Post_BodyAboveLimit_413RequestTooLarge()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages") { Content = new StringContent(new string('x', 5000)) };
        request.Headers.Add("x-api-key", "sk-ant-caller");

        using var response = await _setup.Gateway.Client.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        var error = await ErrorOf(response);
        error.Type.ShouldBe("request_too_large");
        error.Message.ShouldContain("4096");
        _setup.Upstream.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task Post_ChunkedBodyAboveLimit_413RequestTooLarge()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages") { Content = new StreamContent(new MemoryStream(new byte[5000])) };
        request.Headers.TransferEncodingChunked = true;
        request.Headers.Add("x-api-key", "sk-ant-caller");

        using var response = await _setup.Gateway.Client.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        _setup.Upstream.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task Stream_UpstreamEvents_ArriveOneByOneBeforeTheStreamEnds()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _setup.Upstream.Handler = async context =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteAsync("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}}\n\n");
            await context.Response.Body.FlushAsync();
            await release.Task.WaitAsync(TimeSpan.FromSeconds(10));
            await context.Response.WriteAsync("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
        };
        using var request = Streaming();

        using var response = await _setup.Gateway.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        (await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10))).ShouldBe("event: message_start");
        release.SetResult();
        var rest = await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(10));
        rest.ShouldEndWith("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
        rest.ShouldNotContain("event: error");
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/event-stream");
    }

    [Fact]
    public async Task Stream_UpstreamEndsBeforeMessageStop_EndsWithErrorEventAndDropsHalfEvent()
    {
        _setup.Upstream.Handler = async context =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteAsync("event: message_start\ndata: {\"type\":\"message_start\"}\n\nevent: content_block_delta\ndata: {\"type\":\"cont");
        };

        var text = await StreamText();

        text.ShouldStartWith("event: message_start\n");
        text.ShouldNotContain("content_block_delta");
        text.ShouldEndWith("\n\n");
        text.ShouldContain("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\"");
    }

    [Fact]
    public async Task Stream_UpstreamStallsPastIdleLimit_EndsWithTimeoutErrorEvent()
    {
        var stalled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _setup.Upstream.Handler = async context =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteAsync("event: message_start\ndata: {\"type\":\"message_start\"}\n\n");
            await context.Response.Body.FlushAsync();
            await Task.WhenAny(stalled.Task, Task.Delay(Timeout.Infinite, context.RequestAborted));
        };

        var text = await StreamText();
        stalled.SetResult();

        text.ShouldContain("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"timeout_error\"");
        text.ShouldContain("PACER_STREAM_IDLE_TIMEOUT");
    }

    [Fact]
    public async Task Stream_UpstreamConnectionBreaks_EndsWithErrorEvent()
    {
        var firstEventRead = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _setup.Upstream.Handler = async context =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteAsync("event: message_start\ndata: {\"type\":\"message_start\"}\n\n");
            await context.Response.Body.FlushAsync();
            await firstEventRead.Task.WaitAsync(TimeSpan.FromSeconds(10));
            context.Abort();
        };
        using var request = Streaming();
        using var response = await _setup.Gateway.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        (await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10))).ShouldBe("event: message_start");
        firstEventRead.SetResult();
        var rest = await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(10));

        rest.ShouldContain("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\"");
        rest.ShouldEndWith("\n\n");
    }

    [Fact]
    public async Task UnknownPath_404InAnthropicShapeNamingWhatIsServed()
    {
        using var response = await _setup.Gateway.Client.GetAsync("/nothing-here");

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var error = await ErrorOf(response);
        error.Type.ShouldBe("not_found_error");
        error.Message.ShouldContain("/v1/*");
    }

    private static HttpRequestMessage Streaming()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages")
        {
            Content = new StringContent("""{"model":"claude-sonnet-4-5","max_tokens":10,"stream":true,"messages":[]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-api-key", "sk-ant-caller");
        return request;
    }

    private async Task<string> StreamText()
    {
        using var request = Streaming();
        using var response = await _setup.Gateway.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return await response.Content.ReadAsStringAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }

    internal static async Task<(string Type, string Message, string RequestId)> ErrorOf(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = document.RootElement;
        root.GetProperty("type").GetString().ShouldBe("error");
        var error = root.GetProperty("error");
        return (error.GetProperty("type").GetString()!, error.GetProperty("message").GetString()!, root.GetProperty("request_id").GetString()!);
    }
}
