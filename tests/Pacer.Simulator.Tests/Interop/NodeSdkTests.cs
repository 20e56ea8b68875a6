using System.Text.Json;

namespace Pacer.Simulator.Tests.Interop;

/// <summary>
/// The official TypeScript SDK (@anthropic-ai/sdk, pinned in tests/interop) parses everything the simulator sends:
/// tests/interop/simulator.mjs drives it through every scenario once and these tests assert on what it saw.
/// </summary>
public sealed class NodeSdkTests(NodeSdkTests.Run run) : IClassFixture<NodeSdkTests.Run>
{
    /// <summary>One simulator and one run of the script, shared by the tests of this class.</summary>
    public sealed class Run : IAsyncLifetime
    {
        private SimulatorHost? _host;

        public JsonElement? Seen { get; private set; }

        public async ValueTask InitializeAsync()
        {
            _host = await TestSimulator.StartAsync(o => o.Output.MeanTokens = 40);
            (Seen, SkipReason) = await NodeScript.RunAsync("simulator.mjs", _host.BaseAddress.ToString().TrimEnd('/'));
        }

        public string? SkipReason { get; private set; }

        public async ValueTask DisposeAsync()
        {
            if (_host is not null)
            {
                await _host.DisposeAsync();
            }
        }
    }

    private JsonElement Seen(string scenario)
    {
        if (run.SkipReason is not null)
        {
            Assert.Skip(run.SkipReason);
        }

        var result = run.Seen!.Value.GetProperty(scenario);
        result.TryGetProperty("unexpected", out var unexpected).ShouldBeFalse($"{scenario} threw: {unexpected}");
        return result;
    }

    private static string[] Types(JsonElement result) => [.. result.GetProperty("types").EnumerateArray().Select(t => t.GetString()!)];

    [Fact]
    public void Create_NonStreaming_ParsesTheMessage()
    {
        var seen = Seen("create");

        seen.GetProperty("id").GetString()!.ShouldStartWith("msg_");
        seen.GetProperty("model").GetString().ShouldBe("claude-sonnet-4-5-20250929");
        seen.GetProperty("outputTokens").GetInt64().ShouldBe(Simulator.Messages.TokenCounter.Count(seen.GetProperty("text").GetString()));
        seen.GetProperty("requestId").GetString()!.ShouldStartWith("req_");
    }

    [Fact]
    public void Stream_ParsesEveryEventAndMatchesTheNonStreamingReply()
    {
        var seen = Seen("stream");

        var types = Types(seen);
        types[..2].ShouldBe(["message_start", "content_block_start"]);
        types[^3..].ShouldBe(["content_block_stop", "message_delta", "message_stop"]);
        types.ShouldNotContain("ping"); // the SDK drops pings, and must not choke on them
        seen.GetProperty("sameText").GetBoolean().ShouldBeTrue();
        seen.GetProperty("sameTokens").GetBoolean().ShouldBeTrue();
        seen.GetProperty("error").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public void StreamHelper_BuildsTheFinalMessage() =>
        Seen("streamHelper").GetProperty("textLength").GetInt32().ShouldBeGreaterThan(0);

    [Fact]
    public void CountTokens_AgreesWithUsage()
    {
        var seen = Seen("countTokens");

        seen.GetProperty("inputTokens").GetInt64().ShouldBe(seen.GetProperty("usageInputTokens").GetInt64());
    }

    [Fact]
    public void ModelsList_ParsesThePage()
    {
        var seen = Seen("models");

        seen.GetProperty("ids").GetArrayLength().ShouldBe(3);
        seen.GetProperty("hasMore").GetBoolean().ShouldBeTrue();
        seen.GetProperty("firstId").GetString().ShouldBe("claude-opus-4-5-20251101");
    }

    [Theory]
    [InlineData("429:2", "RateLimitError", 429, "rate_limit_error", "2")]
    [InlineData("429:none", "RateLimitError", 429, "rate_limit_error", null)]
    [InlineData("500", "InternalServerError", 500, "api_error", null)]
    [InlineData("503", "ServiceUnavailableError", 503, "api_error", null)]
    [InlineData("504", "GatewayTimeoutError", 504, "timeout_error", null)]
    [InlineData("529", "OverloadedError", 529, "overloaded_error", null)]
    public void StatusFault_SdkRaisesTheMatchingError(string fault, string errorClass, int status, string type, string? retryAfter)
    {
        var error = Seen($"fault {fault}").GetProperty("error");

        error.GetProperty("errorClass").GetString().ShouldBe(errorClass);
        error.GetProperty("status").GetInt32().ShouldBe(status);
        error.GetProperty("type").GetString().ShouldBe(type);
        error.GetProperty("requestId").GetString()!.ShouldStartWith("req_");
        error.GetProperty("retryAfter").GetString().ShouldBe(retryAfter);
        error.GetProperty("rateLimitHeader").GetString().ShouldBe("50");
    }

    [Fact]
    public void SpendLimitFault_SdkSeesTheErrorCode()
    {
        var error = Seen("fault spend-limit").GetProperty("error");

        error.GetProperty("status").GetInt32().ShouldBe(429);
        error.GetProperty("errorCode").GetString().ShouldBe("enforced_spend_limit_reached");
        error.GetProperty("retryAfter").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public void ResetFault_SdkRaisesAConnectionError() =>
        Seen("fault reset").GetProperty("error").GetProperty("errorClass").GetString().ShouldBe("APIConnectionError");

    [Fact]
    public void NoResponseFault_SdkTimesOut()
    {
        var seen = Seen("noResponse");

        seen.GetProperty("error").GetProperty("errorClass").GetString().ShouldBe("APIConnectionTimeoutError");
        seen.GetProperty("elapsedMs").GetInt32().ShouldBeGreaterThanOrEqualTo(900);
    }

    [Fact]
    public void SlowFault_AnswersAfterTheDelay() =>
        Seen("slow").GetProperty("elapsedMs").GetInt32().ShouldBeGreaterThanOrEqualTo(390);

    [Fact]
    public void RetryThroughScript_SdkRetriesThe529AndSucceeds() =>
        Seen("retryThroughScript").GetProperty("id").GetString()!.ShouldStartWith("msg_");

    [Fact]
    public void CutFault_StreamEndsWithoutMessageStop()
    {
        var seen = Seen("cut");

        Types(seen).ShouldBe(["message_start", "content_block_start", "content_block_delta", "content_block_delta"]);
        seen.GetProperty("error").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public void StallFault_StreamHangsUntilTheClientAborts()
    {
        var seen = Seen("stall");

        Types(seen).ShouldBe(["message_start", "content_block_start", "content_block_delta"]);
        seen.GetProperty("aborted").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public void MalformedFault_SdkFailsToParseTheEvent()
    {
        var seen = Seen("malformed");

        Types(seen).ShouldBe(["message_start", "content_block_start"]);
        seen.GetProperty("error").GetProperty("errorClass").GetString().ShouldBe("SyntaxError");
    }

    [Fact]
    public void ErrorEventFault_SdkRaisesOverloadedMidStream()
    {
        var seen = Seen("errorEvent");

        Types(seen).ShouldBe(["message_start", "content_block_start", "content_block_delta"]);
        var error = seen.GetProperty("error");
        error.GetProperty("errorClass").GetString().ShouldBe("APIError");
        error.GetProperty("type").GetString().ShouldBe("overloaded_error");
    }
}
