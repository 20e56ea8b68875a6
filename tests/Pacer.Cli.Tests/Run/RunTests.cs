using System.Text;
using System.Text.Json;
using Pacer.Cli.Tests.Support;

namespace Pacer.Cli.Tests.Run;

/// <summary><c>pacer run</c> end to end: a real process, real files, the built-in simulator.</summary>
public sealed class RunTests : IDisposable
{
    private const int KilledRequests = 150;

    /// <summary>
    /// The fast simulator with 100 ms answers and 4 requests at a time (about 40 a second), so that a kill after 80 results
    /// lands well before the 150th, whatever burst the run learns from the simulator's headers.
    /// </summary>
    private static readonly (string, string)[] PacedSimulator =
    [
        .. CliProcess.FastSimulator.Where(s => s.Item1 is not ("Simulator__Latency__Enabled" or "ANTHROPIC_CONCURRENT_REQUESTS")),
        ("ANTHROPIC_CONCURRENT_REQUESTS", "4"),
        ("Simulator__Latency__Enabled", "true"),
        ("Simulator__Latency__TimeToFirstTokenMs", "100"),
        ("Simulator__Latency__TokensPerSecond", "100000"),
        ("Simulator__Latency__Jitter", "0"),
    ];
    private readonly string _folder = Directory.CreateTempSubdirectory("pacer-cli-run-").FullName;

    private string Out => Path.Combine(_folder, "results.jsonl");

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task Run_ValidFileAgainstTheSimulator_WritesOneSucceededResultPerRequestAndASummary()
    {
        var input = BatchFiles.WriteRequests(_folder, 40);

        using var run = await CliProcess.RunPacerAsync(_folder, ["run", input, "--out", Out], CliProcess.FastSimulator);

        run.ExitCode.ShouldBe(0, run.StandardError);
        BatchFiles.ShouldHoldEveryRequestOnce(Out, 40);
        run.StandardError.ShouldContain("BUILT-IN SIMULATOR");
        run.StandardOutput.ShouldContain("succeeded");
        run.StandardOutput.ShouldContain("│ succeeded │    40 │");
        run.StandardOutput.ShouldContain("claude-sonnet-4-5");
        run.StandardOutput.ShouldContain("ideal time at the learned limits");
        File.Exists(Out + ".lock").ShouldBeFalse();

        // Each line is the Batches results format: the whole message under result.message.
        using var first = JsonDocument.Parse(File.ReadLines(Out).First());
        var message = first.RootElement.GetProperty("result").GetProperty("message");
        message.GetProperty("type").GetString().ShouldBe("message");
        message.GetProperty("usage").GetProperty("output_tokens").GetInt32().ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task Run_ExtendedRangesInDotEnv_AcceptsLimitsAboveTheSeedsRanges()
    {
        File.WriteAllText(Path.Combine(_folder, ".env"), "PACER_EXTENDED_RANGES=true\nANTHROPIC_RATE_LIMIT_PER_MINUTE=5000\nANTHROPIC_CONCURRENT_REQUESTS=200\n");
        var input = BatchFiles.WriteRequests(_folder, 40);
        string[] run40 = ["run", input, "--out", Out];

        using var run = await CliProcess.RunPacerAsync(_folder, run40, [.. CliProcess.FastSimulator.Where(s => !s.Item1.Contains("RequestsPerMinute", StringComparison.Ordinal) && !s.Item1.StartsWith("ANTHROPIC_", StringComparison.Ordinal)), ("Simulator__Limits__RequestsPerMinute", "5000")]);

        run.ExitCode.ShouldBe(0, run.StandardError);
        BatchFiles.ShouldHoldEveryRequestOnce(Out, 40);
    }

    [Fact]
    public async Task Run_NotATerminal_WritesAPlainProgressLineEveryFewSeconds()
    {
        var input = BatchFiles.WriteRequests(_folder, 12);

        using var run = await CliProcess.RunPacerAsync(_folder, ["run", input, "--out", Out, "--progress-every", "0.2"], CliProcess.SlowSimulator);

        run.ExitCode.ShouldBe(0, run.StandardError);
        var lines = run.StandardOutput.Split('\n').Where(l => l.StartsWith("pacer: ", StringComparison.Ordinal)).ToList();
        lines.Count.ShouldBeGreaterThanOrEqualTo(3, run.StandardOutput);
        lines[^1].ShouldMatch(@"^pacer: \d+/12 done \(\d+ succeeded, 0 failed\), \d+ in flight, \d+ waiting; \d+ req/min \(limit \d+\), input \S+/min \(limit \S+\), output \S+/min \(limit \S+\); 429s absorbed \d+, retries \d+; cost \$\d+\.\d{4}; elapsed \d\d:\d\d, left .*$");
        run.StandardOutput.ShouldNotContain("\u001b[", customMessage: "no terminal escapes in a pipe");
    }

    [Fact]
    public async Task Run_AgainWithTheSameOut_SendsNothingAndKeepsOneLinePerRequest()
    {
        var input = BatchFiles.WriteRequests(_folder, 10);
        using var first = await CliProcess.RunPacerAsync(_folder, ["run", input, "--out", Out], CliProcess.FastSimulator);
        first.ExitCode.ShouldBe(0, first.StandardError);

        using var second = await CliProcess.RunPacerAsync(_folder, ["run", input, "--out", Out], CliProcess.FastSimulator);

        second.ExitCode.ShouldBe(0, second.StandardError);
        second.StandardError.ShouldContain("Nothing to send");
        second.StandardOutput.ShouldContain("skipped: already in the results file");
        BatchFiles.ShouldHoldEveryRequestOnce(Out, 10);
    }

    [Fact]
    public async Task Run_InterruptedBySigintThenResumed_EveryRequestAnsweredExactlyOnce()
    {
        var input = BatchFiles.WriteRequests(_folder, 40);
        using (var run = CliProcess.StartPacer(_folder, ["run", input, "--out", Out], CliProcess.SlowSimulator))
        {
            await CliProcess.Until(() => File.Exists(Out) && BatchFiles.ReadResults(Out).Count >= 4, "the first results");

            run.Interrupt();
            await run.WaitForExitAsync();

            run.ExitCode.ShouldBe(130, run.StandardError);
            run.StandardError.ShouldContain("Stopping: no new requests are admitted");
            run.StandardOutput.ShouldContain("not sent (interrupted");
        }

        var partial = BatchFiles.ReadResults(Out);
        partial.Count.ShouldBeLessThan(40);
        partial.Select(r => r.CustomId).ShouldBeUnique();
        partial.ShouldAllBe(r => r.Type == "succeeded", "requests in flight finish; none is written as cancelled");

        using var resumed = await CliProcess.RunPacerAsync(_folder, ["run", input, "--out", Out], CliProcess.FastSimulator);

        resumed.ExitCode.ShouldBe(0, resumed.StandardError);
        BatchFiles.ShouldHoldEveryRequestOnce(Out, 40);
    }

    [Fact]
    public async Task Run_SecondSigint_CancelsTheRequestsInFlightWithoutWritingThem()
    {
        var input = BatchFiles.WriteRequests(_folder, 40);
        using var run = CliProcess.StartPacer(_folder, ["run", input, "--out", Out], CliProcess.SlowSimulator);
        await CliProcess.Until(() => File.Exists(Out) && BatchFiles.ReadResults(Out).Count >= 1, "the first result");

        run.Interrupt();
        await CliProcess.Until(() => run.StandardError.Contains("Stopping", StringComparison.Ordinal), "the first stop");
        run.Interrupt();
        await run.WaitForExitAsync();

        run.ExitCode.ShouldBe(130, run.StandardError);
        run.StandardError.ShouldContain("Cancelling the requests in flight");
        var results = BatchFiles.ReadResults(Out);
        results.Select(r => r.CustomId).ShouldBeUnique();
        results.ShouldAllBe(r => r.Type == "succeeded");
    }

    [Fact]
    public async Task Run_KilledThenResumed_LosesNoWrittenResultAndAnswersEveryRequestOnce()
    {
        var input = BatchFiles.WriteRequests(_folder, 40);
        List<(string CustomId, string Type)> before;
        using (var run = CliProcess.StartPacer(_folder, ["run", input, "--out", Out], CliProcess.SlowSimulator))
        {
            await CliProcess.Until(() => File.Exists(Out) && BatchFiles.ReadResults(Out).Count >= 4, "the first results");
            run.KillHard();
            await run.WaitForExitAsync();
            before = BatchFiles.ReadResults(Out);
        }

        using var resumed = await CliProcess.RunPacerAsync(_folder, ["run", input, "--out", Out], CliProcess.FastSimulator);

        resumed.ExitCode.ShouldBe(0, resumed.StandardError);
        BatchFiles.ShouldHoldEveryRequestOnce(Out, 40);
        BatchFiles.ReadResults(Out).Take(before.Count).ShouldBe(before, "the results written before the kill are kept as they were");
    }

    [Fact]
    public async Task Run_TornLastLine_IsCutOffAndThatRequestSentAgain()
    {
        var input = BatchFiles.WriteRequests(_folder, 6);
        using var first = await CliProcess.RunPacerAsync(_folder, ["run", input, "--out", Out], CliProcess.FastSimulator);
        var lines = File.ReadAllLines(Out);

        // A crash in the middle of writing the last line: half of it, no newline.
        var torn = lines[^1][..(lines[^1].Length / 2)];
        File.WriteAllText(Out, string.Join("\n", lines[..^1]) + "\n" + torn);

        using var resumed = await CliProcess.RunPacerAsync(_folder, ["run", input, "--out", Out], CliProcess.FastSimulator);

        resumed.ExitCode.ShouldBe(0, resumed.StandardError);
        resumed.StandardError.ShouldContain("cut off a torn last line");
        BatchFiles.ShouldHoldEveryRequestOnce(Out, 6);
        File.ReadAllLines(Out)[..^1].ShouldBe(lines[..^1]);
    }

    [Fact]
    public async Task Run_LastLineWholeButWithoutNewline_IsKeptAndNotSentAgain()
    {
        var input = BatchFiles.WriteRequests(_folder, 4);
        using var first = await CliProcess.RunPacerAsync(_folder, ["run", input, "--out", Out], CliProcess.FastSimulator);
        File.WriteAllText(Out, File.ReadAllText(Out).TrimEnd('\n'));

        using var again = await CliProcess.RunPacerAsync(_folder, ["run", input, "--out", Out], CliProcess.FastSimulator);

        again.ExitCode.ShouldBe(0, again.StandardError);
        again.StandardError.ShouldContain("Nothing to send");
        BatchFiles.ShouldHoldEveryRequestOnce(Out, 4);
    }

    [Fact]
    public async Task Run_ErroredRequest_WritesTheApiErrorObjectAndExitsOne()
    {
        var input = Path.Combine(_folder, "requests.jsonl");
        File.WriteAllLines(input, [BatchFiles.Request("req-0"), BatchFiles.Request("req-1", model: "claude-sonnet-4-5+fault=400")]);

        using var run = await CliProcess.RunPacerAsync(_folder, ["run", input, "--out", Out], CliProcess.FastSimulator);

        run.ExitCode.ShouldBe(1, run.StandardError);
        var errored = File.ReadAllLines(Out).Select(l => JsonDocument.Parse(l).RootElement).Single(r => r.GetProperty("custom_id").GetString() == "req-1");
        var result = errored.GetProperty("result");
        result.GetProperty("type").GetString().ShouldBe("errored");
        result.GetProperty("error").GetProperty("type").GetString().ShouldBe("error");
        result.GetProperty("error").GetProperty("error").GetProperty("type").GetString().ShouldBe("invalid_request_error");
        run.StandardOutput.ShouldContain("invalid_request_error");
    }

    [Fact]
    public async Task Run_RetryErrored_ReplacesTheErroredLineWithASuccess()
    {
        var input = BatchFiles.WriteRequests(_folder, 3);
        File.WriteAllText(Out, BatchFiles.ReadResultsLine("req-1", errored: true) + "\n");

        using var plain = await CliProcess.RunPacerAsync(_folder, ["run", input, "--out", Out], CliProcess.FastSimulator);
        plain.ExitCode.ShouldBe(0, plain.StandardError);
        BatchFiles.ReadResults(Out).Single(r => r.CustomId == "req-1").Type.ShouldBe("errored");

        using var retried = await CliProcess.RunPacerAsync(_folder, ["run", input, "--out", Out, "--retry-errored"], CliProcess.FastSimulator);

        retried.ExitCode.ShouldBe(0, retried.StandardError);
        retried.StandardError.ShouldContain("--retry-errored: 1 result(s)");
        BatchFiles.ShouldHoldEveryRequestOnce(Out, 3);
    }

    [Fact]
    public async Task Run_OutputHeldByAnotherRun_Refuses()
    {
        var input = BatchFiles.WriteRequests(_folder, 2);
        await using var held = new FileStream(Out + ".lock", FileMode.Create, FileAccess.ReadWrite, FileShare.None);

        using var run = await CliProcess.RunPacerAsync(_folder, ["run", input, "--out", Out], CliProcess.FastSimulator);

        run.ExitCode.ShouldBe(1);
        run.StandardError.ShouldContain("is being written by another pacer run");
    }

    /// <summary>
    /// Killed with SIGKILL again and again while it writes results as fast as the simulator answers (issue 15,
    /// "Crashes"): each kill may leave at most a torn last line; every whole line already written stays, byte for byte,
    /// through every later kill and resume; the lock of a killed run never blocks the next; the last run answers every
    /// request exactly once.
    /// </summary>
    [Fact]
    public async Task Run_KilledThreeTimesWhileWritingFast_KeepsEveryWholeLineAndTheLastRunAnswersEachOnce()
    {
        var input = BatchFiles.WriteRequests(_folder, KilledRequests);
        var kept = new List<string>();
        foreach (var killAfter in new[] { 10, 40, 80 })
        {
            using (var run = CliProcess.StartPacer(_folder, ["run", input, "--out", Out], PacedSimulator))
            {
                await CliProcess.Until(() => WholeLines().Count >= killAfter, $"{killAfter} results");
                run.KillHard();
                await run.WaitForExitAsync();
            }

            var lines = WholeLines();
            lines.Count.ShouldBeLessThan(KilledRequests, "the kill came before the end");
            lines.Take(kept.Count).ShouldBe(kept, "every whole line written before an earlier kill is still there, unchanged");
            foreach (var line in lines)
            {
                using var result = JsonDocument.Parse(line);
                result.RootElement.GetProperty("result").GetProperty("type").GetString().ShouldBe("succeeded");
                result.RootElement.GetProperty("result").GetProperty("message").GetProperty("type").GetString().ShouldBe("message");
            }

            lines.Select(CustomId).ShouldBeUnique();
            kept = lines;
        }

        using var last = await CliProcess.RunPacerAsync(_folder, ["run", input, "--out", Out], CliProcess.FastSimulator);

        last.ExitCode.ShouldBe(0, last.StandardError);
        BatchFiles.ShouldHoldEveryRequestOnce(Out, KilledRequests);
        File.ReadAllLines(Out).Take(kept.Count).ShouldBe(kept);
    }

    private static string CustomId(string line)
    {
        using var result = JsonDocument.Parse(line);
        return result.RootElement.GetProperty("custom_id").GetString()!;
    }

    /// <summary>The lines that end with a newline; a torn last line (a kill mid-write) is left out, as the next run cuts it off.</summary>
    private List<string> WholeLines()
    {
        if (!File.Exists(Out))
        {
            return [];
        }

        byte[] bytes;
        try
        {
            using var file = new FileStream(Out, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var buffer = new MemoryStream();
            file.CopyTo(buffer);
            bytes = buffer.ToArray();
        }
        catch (FileNotFoundException)
        {
            // Replaced by a repaired copy at this very moment.
            return [];
        }

        var text = Encoding.UTF8.GetString(bytes);
        var end = text.LastIndexOf('\n');
        return end < 0 ? [] : [.. text[..end].Split('\n')];
    }
}
