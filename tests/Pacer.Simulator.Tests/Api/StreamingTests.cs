using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Pacer.Simulator.Options;

namespace Pacer.Simulator.Tests.Api;

public sealed class StreamingTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static List<(string Event, JsonElement Data)> Parse(string sse)
    {
        var events = new List<(string, JsonElement)>();
        foreach (var block in sse.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var lines = block.Split('\n');
            lines.Length.ShouldBe(2, block);
            lines[0].ShouldStartWith("event: ");
            lines[1].ShouldStartWith("data: ");
            events.Add((lines[0]["event: ".Length..], JsonDocument.Parse(lines[1]["data: ".Length..]).RootElement.Clone()));
        }

        return events;
    }

    [Fact]
    public async Task Post_Stream_FramesEveryEventAsTheRealApi()
    {
        await using var host = await TestSimulator.StartAsync(o => o.Output.MeanTokens = 20);
        using var client = TestSimulator.Client(host);

        using var response = await TestSimulator.PostAsync(client, TestSimulator.Body(stream: true));
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        TestSimulator.ContentType(response)!.MediaType.ShouldBe("text/event-stream");
        TestSimulator.Header(response, "anthropic-ratelimit-requests-remaining").ShouldBe("49");
        text.ShouldEndWith("\n\n");
        var events = Parse(text);
        events.Select(e => e.Event).Take(3).ShouldBe(["message_start", "content_block_start", "ping"]);
        events.Select(e => e.Event).TakeLast(3).ShouldBe(["content_block_stop", "message_delta", "message_stop"]);
        events.ShouldAllBe(e => e.Data.GetProperty("type").GetString() == e.Event);
        var start = events[0].Data.GetProperty("message");
        start.GetProperty("content").GetArrayLength().ShouldBe(0);
        start.GetProperty("stop_reason").ValueKind.ShouldBe(JsonValueKind.Null);
        start.GetProperty("usage").GetProperty("output_tokens").GetInt32().ShouldBe(1);
        var deltas = events.Where(e => e.Event == "content_block_delta").Select(e => e.Data.GetProperty("delta")).ToList();
        deltas.ShouldAllBe(d => d.GetProperty("type").GetString() == "text_delta");
        var replyText = string.Concat(deltas.Select(d => d.GetProperty("text").GetString()));
        var final = events[^2].Data;
        final.GetProperty("usage").GetProperty("output_tokens").GetInt32().ShouldBe(Simulator.Messages.TokenCounter.Count(replyText));
        final.GetProperty("delta").GetProperty("stop_reason").GetString().ShouldBeOneOf("end_turn", "max_tokens");
    }

    [Fact]
    public async Task Post_StreamToTheModelsCeiling_SendsEveryToken()
    {
        await using var host = await TestSimulator.StartAsync(o =>
        {
            o.Limits.OutputTokensPerMinute = 100_000;
            o.Output.MaxTokensRate = 1;
        });
        using var client = TestSimulator.Client(host);

        using var response = await TestSimulator.PostAsync(client, TestSimulator.Body(maxTokens: 64_000, stream: true));
        var events = Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        events.Count(e => e.Event == "content_block_delta").ShouldBe(21_334); // 64,000 tokens, 3 per delta
        events[^2].Data.GetProperty("usage").GetProperty("output_tokens").GetInt32().ShouldBe(64_000);
        events[^2].Data.GetProperty("delta").GetProperty("stop_reason").GetString().ShouldBe("max_tokens");
    }

    [Fact]
    public async Task Post_StreamErrorEvent_SendsAnthropicErrorMidStream()
    {
        await using var host = await TestSimulator.StartAsync();
        using var client = TestSimulator.Client(host);

        using var response = await TestSimulator.PostAsync(client, TestSimulator.Body(stream: true), fault: "error-event:3");
        var events = Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        ((int)response.StatusCode).ShouldBe(200);
        events.Select(e => e.Event).ShouldBe(["message_start", "content_block_start", "ping", "error"]);
        var error = events[^1].Data.GetProperty("error");
        error.GetProperty("type").GetString().ShouldBe("overloaded_error");
        error.GetProperty("message").GetString().ShouldBe("Overloaded");
    }

    [Fact]
    public async Task Post_StreamFaultOnANonStreamingRequest_AnswersNormally()
    {
        await using var host = await TestSimulator.StartAsync();
        using var client = TestSimulator.Client(host);

        using var response = await TestSimulator.PostAsync(client, TestSimulator.Body(), fault: "cut:1");

        ((int)response.StatusCode).ShouldBe(200);
        (await response.JsonAsync()).GetProperty("type").GetString().ShouldBe("message");
    }

    [Fact]
    public async Task Post_ActualAccountingStreamCut_ChargesOnlyTheTokensSent()
    {
        var time = new FakeTimeProvider(Start);
        await using var host = await TestSimulator.StartAsync(o =>
        {
            o.Limits.OutputAccounting = OutputAccounting.Actual;
            o.Limits.RemainingRounding = 1;
            o.Output.MaxTokensRate = 1; // every reply runs to max_tokens: 30 tokens, 10 deltas of 3
        }, time);
        using var client = TestSimulator.Client(host);

        using var response = await TestSimulator.PostAsync(client, TestSimulator.Body(maxTokens: 30, stream: true), fault: "cut:5");
        await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        host.Attempts()[^1].OutputTokens.ShouldBe(6); // two deltas after message_start, content_block_start and ping
        var limits = JsonDocument.Parse(await client.GetStringAsync("_simulator/limits?apiKey=sk-test-key&model=claude-sonnet-4-5", TestContext.Current.CancellationToken)).RootElement;
        limits.GetProperty("outputTokensRemaining").GetInt64().ShouldBe(8_000 - 6);
    }

    [Fact]
    public async Task Post_WithLatency_WaitsTimeToFirstTokenAndGenerationOnTheSimulatorClock()
    {
        var time = new FakeTimeProvider(Start);
        await using var host = await TestSimulator.StartAsync(o =>
        {
            o.Latency = new LatencyOptions { Enabled = true, TimeToFirstTokenMs = 500, TokensPerSecond = 10, Jitter = 0 };
            o.Output.MaxTokensRate = 1; // 20 tokens: 2 s of generation
        }, time);
        using var client = TestSimulator.Client(host);

        var pending = TestSimulator.PostAsync(client, TestSimulator.Body(maxTokens: 20));
        await WaitForAttemptAsync(host);

        // Step the fake clock by 100 ms until the answer arrives: it must not arrive before 2.5 s of simulator time.
        for (var step = 1; step <= 60 && !pending.IsCompleted; step++)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.WhenAny(pending, Task.Delay(20, TestContext.Current.CancellationToken));
            if (step < 25)
            {
                pending.IsCompleted.ShouldBeFalse($"answered after only {step * 100} ms");
            }
        }

        using var response = await pending;
        ((int)response.StatusCode).ShouldBe(200);
        var attempt = host.Attempts()[^1];
        (attempt.CompletedAt!.Value - attempt.ArrivedAt).ShouldBeInRange(TimeSpan.FromMilliseconds(2_500), TimeSpan.FromMilliseconds(3_500));
    }

    private static async Task WaitForAttemptAsync(SimulatorHost host)
    {
        using var timeout = new CancellationTokenSource(TestSimulator.Wait);
        while (host.Attempts().Count == 0 || host.Attempts()[^1].InputTokens == 0)
        {
            await Task.Delay(10, timeout.Token);
        }
    }
}
