using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Runtime.Versioning;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Pacer.Packaging.Tests;

/// <summary>The deployable gateway: one self-contained binary that starts, serves, refuses bad settings and stops.</summary>
[SupportedOSPlatform("linux")] // it publishes and runs a linux-x64 binary
public sealed partial class GatewayPublishTests(PublishedGateway gateway) : IClassFixture<PublishedGateway>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    [Fact]
    public void Publish_SelfContainedSingleFile_IsOneExecutable()
    {
        var files = Directory.GetFiles(gateway.Folder).Select(Path.GetFileName).ToList();

        // Beside the binary: only symbols and small JSON manifests, no assemblies, no native libraries.
        files.Where(f => !f!.EndsWith(".pdb", StringComparison.Ordinal) && !f.EndsWith(".json", StringComparison.Ordinal)).ShouldBe(["Pacer.Gateway"]);
        File.GetUnixFileMode(gateway.Executable).HasFlag(UnixFileMode.UserExecute).ShouldBeTrue();
        new FileInfo(gateway.Executable).Length.ShouldBeGreaterThan(20_000_000); // the runtime is inside
    }

    [Fact]
    public async Task Binary_WithTheBuiltInSimulator_ServesHealthAndMessagesThenStopsOnSigterm()
    {
        var run = gateway.NewRunFolder();
        using var process = Start(run, ("PACER_GATEWAY_URLS", "http://127.0.0.1:0"), ("PACER_DB_PATH", Path.Combine(run, "data", "pacer.db")), ("PACER_SHUTDOWN_TIMEOUT", "5000"));
        var output = new StringBuilder();
        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) => Observe(e.Data);
        process.ErrorDataReceived += (_, e) => Observe(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var address = await listening.Task.WaitAsync(Bound);
            using var client = new HttpClient { BaseAddress = new Uri(address), Timeout = Bound };

            using var health = await client.GetAsync("/healthz");
            health.StatusCode.ShouldBe(HttpStatusCode.OK);
            (await health.Content.ReadAsStringAsync()).ShouldContain("\"ok\"");

            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages")
            {
                Content = JsonContent.Create(new { model = "claude-sonnet-4-5", max_tokens = 32, messages = new[] { new { role = "user", content = "Hello from the published binary" } } }),
            };
            request.Headers.Add("x-api-key", "sk-ant-publish-test");
            request.Headers.Add("anthropic-version", "2023-06-01");
            using var response = await client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
            using var message = JsonDocument.Parse(body);
            message.RootElement.GetProperty("type").GetString().ShouldBe("message");
            message.RootElement.GetProperty("content")[0].GetProperty("text").GetString().ShouldNotBeNullOrEmpty();
            response.Headers.GetValues("x-pacer-attempts").ShouldBe(["1"]);
            File.Exists(Path.Combine(run, "data", "pacer.db")).ShouldBeTrue();

            // bash's own kill: no procps needed.
            using (var term = Process.Start("bash", ["-c", $"kill -TERM {process.Id}"]))
            {
                await term.WaitForExitAsync().WaitAsync(Bound);
            }

            await process.WaitForExitAsync().WaitAsync(Bound);
            process.ExitCode.ShouldBe(0, Text());
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync().WaitAsync(Bound);
            }
        }

        void Observe(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(line);
            }

            if (Listening().Match(line) is { Success: true } match)
            {
                listening.TrySetResult(match.Groups[1].Value);
            }
        }

        string Text()
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    [Fact]
    public async Task Binary_InvalidSettings_ExitsWithTheSameOneLineErrorAsThePackage()
    {
        using var process = Start(gateway.NewRunFolder(), ("ANTHROPIC_RATE_LIMIT_PER_MINUTE", "5000"), ("ANTHROPIC_MAX_RETRIES", "11"));
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEndAsync();

        await process.WaitForExitAsync().WaitAsync(Bound);

        process.ExitCode.ShouldBe(2, await output);
        (await errors).TrimEnd().ShouldBe("Pacer gateway cannot start: " + SettingErrors.InEnvironment);
    }

    private Process Start(string workingDirectory, params (string Name, string Value)[] environment) =>
        Process.Start(Command.StartInfo(gateway.Executable, [], workingDirectory, environment))!;

    [GeneratedRegex(@"Pacer gateway listening on (http://127\.0\.0\.1:\d+)")]
    private static partial Regex Listening();
}
