using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Pacer.Simulator.Tests.Hosting;

/// <summary>Runs the built simulator program as a separate process, as a user would.</summary>
public sealed partial class StandaloneProgramTests
{
    private static ProcessStartInfo Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Pacer.Simulator.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return start;
    }

    [Fact]
    public async Task Main_Flags_PrintsWhereItListensAndTheLimitsAndServes()
    {
        using var process = Process.Start(Start("--port", "0", "--rpm", "7", "--itpm", "1000", "--otpm", "500", "--zero-latency"))!;
        try
        {
            var first = await process.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TestSimulator.Wait, TestContext.Current.CancellationToken);
            var second = await process.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TestSimulator.Wait, TestContext.Current.CancellationToken);

            var address = ListeningOn().Match(first ?? "");
            address.Success.ShouldBeTrue(first);
            second.ShouldNotBeNull().ShouldContain("7 requests/min, 1000 input tokens/min, 500 output tokens/min");

            using var client = new HttpClient { BaseAddress = new Uri(address.Groups[1].Value) };
            client.DefaultRequestHeaders.Add("x-api-key", "k");
            client.DefaultRequestHeaders.Add("anthropic-version", "2023-06-01");
            using var response = await client.PostAsync("v1/messages", new StringContent(TestSimulator.Body(), System.Text.Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
            ((int)response.StatusCode).ShouldBe(200);
            TestSimulator.Header(response, "anthropic-ratelimit-requests-limit").ShouldBe("7");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TestSimulator.Wait, TestContext.Current.CancellationToken);
        }
    }

    [Theory]
    [InlineData("--rmp 5", "Unknown option '--rmp'")]
    [InlineData("--rpm 0 --jitter 3", "Limits:RequestsPerMinute is 0; allowed 1–100000000.")]
    [InlineData("--rpm many", "Simulator:Limits:RequestsPerMinute")]
    [InlineData("--fault-rates explode=0.1", "Unknown fault 'explode'")]
    public async Task Main_BadInput_ExitsNonZeroWithAClearMessage(string args, string message)
    {
        using var process = Process.Start(Start(args.Split(' ')))!;
        var errors = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TestSimulator.Wait, TestContext.Current.CancellationToken);

        process.ExitCode.ShouldBe(2);
        (await errors).ShouldContain(message);
    }

    [GeneratedRegex(@"listening on (http://\S+/)")]
    private static partial Regex ListeningOn();
}
