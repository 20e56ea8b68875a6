using System.Text.Json;
using Pacer.Gateway.Tests.Support;
using Pacer.Simulator.Tests.Interop;

namespace Pacer.Gateway.Tests.Interop;

/// <summary>
/// The official TypeScript SDK (@anthropic-ai/sdk, pinned in tests/interop) pointed at the gateway in front of the
/// simulator: tests/interop/gateway.mjs runs every scenario once, with both auth header styles, and these tests assert
/// on what the SDK saw.
/// </summary>
public sealed class NodeSdkTests(NodeSdkTests.Run run) : IClassFixture<NodeSdkTests.Run>
{
    public static TheoryData<string> Styles => ["bearer", "x-api-key"];

    [Theory]
    [MemberData(nameof(Styles))]
    public void Create_EitherAuthStyle_ParsesTheMessageWithPacerHeaders(string style)
    {
        var seen = Seen($"{style} create");

        seen.GetProperty("id").GetString()!.ShouldStartWith("msg_");
        seen.GetProperty("outputTokens").GetInt32().ShouldBeGreaterThan(0);
        seen.GetProperty("attempts").GetString().ShouldBe("1");
        seen.GetProperty("queueMs").GetString().ShouldNotBeNull();
        seen.GetProperty("rateLimitHeader").GetString().ShouldBe("4000");
    }

    [Theory]
    [MemberData(nameof(Styles))]
    public void Stream_EitherAuthStyle_EveryEventToMessageStop(string style)
    {
        var seen = Seen($"{style} stream");

        var types = seen.GetProperty("types").EnumerateArray().Select(t => t.GetString()!).ToArray();
        types[0].ShouldBe("message_start");
        types[^1].ShouldBe("message_stop");
        seen.GetProperty("outputTokens").GetInt32().ShouldBeGreaterThan(0);
        seen.GetProperty("error").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Theory]
    [MemberData(nameof(Styles))]
    public void StreamHelper_EitherAuthStyle_BuildsTheFinalMessage(string style) =>
        Seen($"{style} streamHelper").GetProperty("outputTokens").GetInt32().ShouldBeGreaterThan(0);

    [Theory]
    [MemberData(nameof(Styles))]
    public void CountTokens_EitherAuthStyle_ReturnsInputTokens(string style) =>
        Seen($"{style} countTokens").GetProperty("inputTokens").GetInt32().ShouldBeGreaterThan(0);

    [Fact]
    public void Storm_GatewayAbsorbsEvery429_SdkSeesNone()
    {
        var seen = Seen("storm");

        seen.GetProperty("errors").GetArrayLength().ShouldBe(0, seen.GetProperty("errors").GetRawText());
        seen.GetProperty("fulfilled").GetInt32().ShouldBe(10);
        seen.GetProperty("attempts").EnumerateArray().Sum(a => int.Parse(a.GetString()!)).ShouldBe(20);
    }

    [Fact]
    public void FinalError_UnknownModel_SdkSeesTheUpstreams404()
    {
        var error = Seen("finalError").GetProperty("error");

        error.GetProperty("status").GetInt32().ShouldBe(404);
        error.GetProperty("errorClass").GetString().ShouldBe("NotFoundError");
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

    /// <summary>One gateway, one simulator and one run of the script, shared by the tests of this class.</summary>
    public sealed class Run : IAsyncLifetime
    {
        private SimulatedGateway? _setup;

        public JsonElement? Seen { get; private set; }

        public string? SkipReason { get; private set; }

        public async ValueTask InitializeAsync()
        {
            // Ten 429s among the storm's ten requests: however they fall, no request meets more than MaxRetries of them.
            _setup = await SimulatedGateway.StartAsync(new Dictionary<string, string?> { ["ANTHROPIC_MAX_RETRIES"] = "10" });
            _setup.Simulator.QueueFaults("429:0*10", apiKey: "sk-ant-node-storm");
            (Seen, SkipReason) = await NodeScript.RunAsync("gateway.mjs", _setup.Gateway.BaseUrl.ToString().TrimEnd('/'));
        }

        public async ValueTask DisposeAsync()
        {
            if (_setup is not null)
            {
                await _setup.DisposeAsync();
            }
        }
    }
}
