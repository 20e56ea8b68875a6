using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Pacer.Gateway.Tests.Hosting;

/// <summary>The gateway as the README runs it: its own process, a clean environment, an empty working folder.</summary>
public sealed partial class ProgramTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly string _folder = Directory.CreateTempSubdirectory("pacer-program-").FullName;

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
    public async Task Main_InvalidSettings_ExitsWithEveryInvalidFieldAndItsRange()
    {
        File.WriteAllText(Path.Combine(_folder, ".env"), "ANTHROPIC_RATE_LIMIT_PER_MINUTE=5000   # too many\nPACER_AUTH_MODE=open\n");
        using var process = Start(("ANTHROPIC_MAX_RETRIES", "11"));

        await process.WaitForExitAsync().WaitAsync(Bound);
        var errors = await process.StandardError.ReadToEndAsync();

        process.ExitCode.ShouldBe(2);
        errors.ShouldStartWith("Pacer gateway cannot start: Invalid Pacer settings (3):");
        errors.ShouldContain("ANTHROPIC_RATE_LIMIT_PER_MINUTE: '5000' is out of range; allowed 1-1000");
        errors.ShouldContain("ANTHROPIC_MAX_RETRIES: '11' is out of range; allowed 0-10");
        errors.ShouldContain("PACER_AUTH_MODE: 'open' must be passthrough or managed");
        errors.ShouldNotContain("   at ");
    }

    [Fact]
    public async Task Main_ExtendedRangesNotTrueOrFalse_ExitsWithOneLineNamingIt()
    {
        using var process = Start(("PACER_EXTENDED_RANGES", "yes"));

        await process.WaitForExitAsync().WaitAsync(Bound);
        var errors = await process.StandardError.ReadToEndAsync();

        process.ExitCode.ShouldBe(2);
        errors.TrimEnd().ShouldBe("Pacer gateway cannot start: Invalid Pacer settings (1): PACER_EXTENDED_RANGES: 'yes' must be true or false");
    }

    [Fact]
    public async Task Main_NoKeyNoBaseUrl_ServesThroughTheBuiltInSimulatorAndSaysSoLoudly()
    {
        using var process = Start(("PACER_GATEWAY_URLS", "http://127.0.0.1:0"), ("PACER_ADMIN_API_KEY", "program-test-admin-key"));
        try
        {
            var output = new List<string>();
            string? address = null;
            while (address is null && await process.StandardOutput.ReadLineAsync().WaitAsync(Bound) is { } line)
            {
                output.Add(line);
                address = Listening().Match(line) is { Success: true } match ? match.Groups[1].Value : null;
            }

            address.ShouldNotBeNull(string.Join("\n", output));
            output.ShouldContain(l => l.Contains("BUILT-IN SIMULATOR", StringComparison.Ordinal));
            using var client = new HttpClient { BaseAddress = new Uri(address), Timeout = Bound };
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages")
            {
                Content = JsonContent.Create(new { model = "claude-sonnet-4-5", max_tokens = 20, messages = new[] { new { role = "user", content = "Hello" } } }),
            };
            request.Headers.Add("x-api-key", "sk-ant-any");
            request.Headers.Add("anthropic-version", "2023-06-01");
            using var response = await client.SendAsync(request);
            using var message = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            message.RootElement.GetProperty("type").GetString().ShouldBe("message");
            File.Exists(Path.Combine(_folder, "pacer.db")).ShouldBeTrue();

            // The request's console lines, in order, one per line with its UTC timestamp.
            var requestLines = new List<string>();
            while (await process.StandardOutput.ReadLineAsync().WaitAsync(Bound) is { } line)
            {
                requestLines.Add(line);
                if (line.Contains("POST /v1/messages user=", StringComparison.Ordinal))
                {
                    break;
                }
            }

            requestLines.ShouldContain(l => l.Contains("🔄 Attempt 1/4 for /v1/messages", StringComparison.Ordinal));
            requestLines.FindIndex(l => l.Contains("🔄", StringComparison.Ordinal)).ShouldBeLessThan(requestLines.Count - 1);
            requestLines[^1].ShouldMatch(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z info: Pacer\.Gateway\.Proxy\.ProxyEndpoint\[1\] POST /v1/messages user=anonymous model=claude-sonnet-4-5 status=200 ");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().WaitAsync(Bound);
        }
    }

    private Process Start(params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = _folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Pacer.Gateway.dll"));
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("ANTHROPIC_", StringComparison.Ordinal) || k.StartsWith("PACER_", StringComparison.Ordinal) || k.StartsWith("ASPNETCORE_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return Process.Start(start)!;
    }

    [GeneratedRegex(@"Pacer gateway listening on (http://127\.0\.0\.1:\d+)")]
    private static partial Regex Listening();
}
