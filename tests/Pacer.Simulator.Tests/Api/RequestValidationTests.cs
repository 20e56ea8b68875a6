using System.Net.Http.Headers;
using System.Text;

namespace Pacer.Simulator.Tests.Api;

public sealed class RequestValidationTests : IAsyncLifetime
{
    private SimulatorHost _host = null!;
    private HttpClient _client = null!;

    public async ValueTask InitializeAsync()
    {
        _host = await TestSimulator.StartAsync(o => o.MaxRequestBodyBytes = 10_000);
        _client = TestSimulator.Client(_host);
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task Post_NoKey_Is401AuthenticationError()
    {
        using var client = TestSimulator.Client(_host, apiKey: "");
        using var response = await TestSimulator.PostAsync(client, TestSimulator.Body());

        (await response.ErrorAsync(401, "authentication_error")).ShouldBe("x-api-key header is required");
        TestSimulator.Header(response, "anthropic-ratelimit-requests-limit").ShouldBeEmpty();
    }

    [Fact]
    public async Task Post_BearerToken_IsAccepted()
    {
        using var client = TestSimulator.Client(_host, apiKey: "");
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "sk-bearer");
        using var response = await TestSimulator.PostAsync(client, TestSimulator.Body());

        ((int)response.StatusCode).ShouldBe(200);
    }

    [Fact]
    public async Task Post_UnknownKeyWhenKeysAreConfigured_Is401()
    {
        await using var host = await TestSimulator.StartAsync(o => o.ApiKeys = ["sk-good"]);
        using var good = TestSimulator.Client(host, "sk-good");
        using var bad = TestSimulator.Client(host, "sk-bad");

        ((int)(await TestSimulator.PostAsync(good, TestSimulator.Body())).StatusCode).ShouldBe(200);
        (await (await TestSimulator.PostAsync(bad, TestSimulator.Body())).ErrorAsync(401, "authentication_error")).ShouldBe("invalid x-api-key");
    }

    [Fact]
    public async Task Post_NoVersion_Is400()
    {
        using var client = new HttpClient { BaseAddress = _host.BaseAddress };
        client.DefaultRequestHeaders.Add("x-api-key", "k");
        using var response = await TestSimulator.PostAsync(client, TestSimulator.Body());

        (await response.ErrorAsync(400, "invalid_request_error")).ShouldBe("anthropic-version: header is required");
        TestSimulator.Header(response, "anthropic-ratelimit-requests-limit").ShouldBe("50");
    }

    [Theory]
    [InlineData("{not json", "There was an error parsing the body of the request")]
    [InlineData("", "the request body is empty")]
    [InlineData("[1,2]", "Input should be a valid dictionary")]
    [InlineData("""{"max_tokens":10,"messages":[]}""", "model: Field required")]
    [InlineData("""{"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"hi"}]}""", "max_tokens: Field required")]
    [InlineData("""{"model":"claude-sonnet-4-5","max_tokens":10}""", "messages: Field required")]
    [InlineData("""{"model":"claude-sonnet-4-5"}""", "max_tokens: Field required; messages: Field required")]
    [InlineData("""{"model":"claude-sonnet-4-5","max_tokens":0,"messages":[{"role":"user","content":"hi"}]}""", "max_tokens: Input should be greater than or equal to 1")]
    [InlineData("""{"model":"claude-sonnet-4-5","max_tokens":"ten","messages":[{"role":"user","content":"hi"}]}""", "max_tokens: Input should be a valid integer")]
    [InlineData("""{"model":"claude-sonnet-4-5","max_tokens":64001,"messages":[{"role":"user","content":"hi"}]}""", "max_tokens: 64001 > 64000, which is the maximum allowed number of output tokens for claude-sonnet-4-5-20250929")]
    [InlineData("""{"model":"claude-sonnet-4-5","max_tokens":10,"messages":[]}""", "messages: at least one message is required")]
    [InlineData("""{"model":"claude-sonnet-4-5","max_tokens":10,"messages":[{"role":"robot","content":"hi"}]}""", "messages.0.role: Input should be 'user' or 'assistant'")]
    [InlineData("""{"model":"claude-sonnet-4-5","max_tokens":10,"messages":[{"role":"user","content":[{"text":"hi"}]}]}""", "messages.0.content.0.type: Field required")]
    [InlineData("""{"model":"claude-sonnet-4-5","max_tokens":10,"temperature":1.5,"messages":[{"role":"user","content":"hi"}]}""", "temperature: Input should be less than or equal to 1")]
    [InlineData("""{"model":"claude-sonnet-4-5","max_tokens":10,"stream":"yes","messages":[{"role":"user","content":"hi"}]}""", "stream: Input should be a valid boolean")]
    public async Task Post_InvalidBody_Is400WithAUsefulMessage(string body, string message)
    {
        using var response = await TestSimulator.PostAsync(_client, body);

        (await response.ErrorAsync(400, "invalid_request_error")).ShouldContain(message);
    }

    [Fact]
    public async Task Post_UnknownModel_Is404NotFound()
    {
        using var response = await TestSimulator.PostAsync(_client, TestSimulator.Body(model: "claude-nonexistent-9"));

        (await response.ErrorAsync(404, "not_found_error")).ShouldBe("model: claude-nonexistent-9");
    }

    [Fact]
    public async Task Post_BodyOverTheLimit_Is413RequestTooLarge()
    {
        using var response = await TestSimulator.PostAsync(_client, TestSimulator.Body(content: new string('a', 20_000)));

        (await response.ErrorAsync(413, "request_too_large")).ShouldContain("maximum allowed number of bytes");
    }

    [Fact]
    public async Task Post_ChunkedBodyOverTheLimit_Is413()
    {
        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(TestSimulator.Body(content: new string('b', 20_000)))));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/messages") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        using var response = await _client.SendAsync(request, TestContext.Current.CancellationToken).WaitAsync(TestSimulator.Wait, TestContext.Current.CancellationToken);

        await response.ErrorAsync(413, "request_too_large");
    }

    [Fact]
    public async Task Get_UnknownPath_Is404InAnthropicShape()
    {
        using var response = await _client.GetAsync("v1/nothing-here", TestContext.Current.CancellationToken).WaitAsync(TestSimulator.Wait, TestContext.Current.CancellationToken);

        await response.ErrorAsync(404, "not_found_error");
    }
}
