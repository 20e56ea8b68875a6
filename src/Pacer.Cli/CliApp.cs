using System.CommandLine;
using System.CommandLine.Help;
using Microsoft.Extensions.Configuration;
using Pacer.Cli.Admin;
using Pacer.Cli.Run;
using Pacer.Configuration;
using Pacer.Limiting;
using Spectre.Console;

namespace Pacer.Cli;

/// <summary>The <c>pacer</c> commands: <c>run</c>, and <c>status</c>, <c>usage</c>, <c>keys</c>, <c>budgets</c> against a gateway.</summary>
internal static class CliApp
{
    public const string DefaultGateway = "http://127.0.0.1:8080";

    public static async Task<int> MainAsync(string[] args)
    {
        var root = Build();
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                await Console.Error.WriteLineAsync("pacer: " + error.Message).ConfigureAwait(false);
            }

            await Console.Error.WriteLineAsync().ConfigureAwait(false);
            var path = new List<string>();
            for (var command = parsed.CommandResult; command is not null && command.Command != root; command = command.Parent as System.CommandLine.Parsing.CommandResult)
            {
                path.Insert(0, command.Command.Name);
            }

            path.Add("--help");
            await root.Parse(path).InvokeAsync(new InvocationConfiguration { Output = Console.Error, ProcessTerminationTimeout = null }).ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }).ConfigureAwait(false);
    }

    public static Command Build()
    {
        // Named pacer (a RootCommand takes the name of the assembly, Pacer.Cli).
        var root = new Command(
            "pacer",
            "pacer: runs a file of Message Batches requests through Pacer's engine as fast as the Anthropic API's limits allow, "
            + "and shows a Pacer gateway's status, usage, keys and budgets.");
        root.Add(new HelpOption());
        root.Add(new VersionOption());
        root.Add(RunCommand());
        var gateway = new Option<string>("--gateway")
        {
            Description = $"The gateway's address (default {DefaultGateway}); the admin key comes from PACER_ADMIN_API_KEY (environment or .env).",
            DefaultValueFactory = _ => DefaultGateway,
            Recursive = false,
        };
        root.Add(AdminCommand("status", "The gateway's limits, load, queue per priority, learned upstream buckets and totals.", gateway, (client, _, ct) => AdminCommands.StatusAsync(client, AnsiConsole.Console, ct)));
        root.Add(UsageCommand(gateway));
        root.Add(AdminCommand("keys", "The gateway's managed keys (never their secrets).", gateway, (client, _, ct) => AdminCommands.KeysAsync(client, AnsiConsole.Console, ct)));
        root.Add(AdminCommand("budgets", "The users' credit budgets and what they have spent.", gateway, (client, _, ct) => AdminCommands.BudgetsAsync(client, AnsiConsole.Console, ct)));
        return root;
    }

    private static Command RunCommand()
    {
        var input = new Argument<string>("INPUT") { Description = "The requests, one Message Batches request per line: {\"custom_id\": \"...\", \"params\": {...}}." };
        var output = new Option<string>("--out", "-o") { Description = "The results file (Message Batches results format); rerun with the same file to resume.", Required = true };
        var retryErrored = new Option<bool>("--retry-errored") { Description = "Also send again the requests whose result in --out is not a success (their lines are replaced)." };
        var skipInvalid = new Option<bool>("--skip-invalid") { Description = "Send the valid lines and report the invalid ones, instead of refusing to start." };
        var priority = new Option<string>("--priority") { Description = "The class the requests wait in: batch (default) or interactive.", DefaultValueFactory = _ => RequestPriorityNames.Batch };
        priority.AcceptOnlyFromAmong(RequestPriorityNames.Interactive, RequestPriorityNames.Batch);
        var baseUrl = new Option<string>("--base-url") { Description = "Send through this gateway (or endpoint) instead of ANTHROPIC_BASE_URL; requests carry x-pacer-priority." };
        baseUrl.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string>() is { } text && !Upstream.TryParseBaseUrl(text, out _))
            {
                result.AddError($"--base-url: '{text}' must be an absolute http:// or https:// address without a query.");
            }
        });
        var progressEvery = new Option<double>("--progress-every") { Description = "Seconds between progress lines when the output is not a terminal (default 5).", DefaultValueFactory = _ => 5 };
        progressEvery.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double>() is <= 0 or > 3600)
            {
                result.AddError("--progress-every must be more than 0 and at most 3600 seconds.");
            }
        });

        var command = new Command("run", "Send every request of INPUT through the engine at the pace the limits allow, appending each result to --out.")
        {
            input, output, retryErrored, skipInvalid, priority, baseUrl, progressEvery,
        };
        command.SetAction(async (parsed, _) =>
        {
            // AcceptOnlyFromAmong has already refused anything else.
            var chosen = RequestPriorityNames.TryParse(parsed.GetValue(priority), out var named) ? named : RequestPriority.Batch;
            var options = new RunOptions
            {
                Input = parsed.GetRequiredValue(input),
                Output = parsed.GetRequiredValue(output),
                RetryErrored = parsed.GetValue(retryErrored),
                SkipInvalid = parsed.GetValue(skipInvalid),
                Priority = chosen,
                BaseUrl = parsed.GetValue(baseUrl) is { } url ? new Uri(url) : null,
                ProgressEvery = TimeSpan.FromSeconds(parsed.GetValue(progressEvery)),
            };
            using var control = new RunControl { Notify = message => Console.Error.WriteLine("pacer run: " + message) };
            control.ListenToSignals();
            return await new BatchRunner(options, Settings(), control, TimeProvider.System).RunAsync().ConfigureAwait(false);
        });
        return command;
    }

    private static Command UsageCommand(Option<string> gateway)
    {
        var csv = new Option<bool>("--csv") { Description = "Write the gateway's CSV instead of a table." };
        var from = new Option<string>("--from") { Description = "Start (inclusive), as the admin API takes it: 2025-01-31 or an ISO 8601 moment." };
        var to = new Option<string>("--to") { Description = "End (exclusive)." };
        var user = new Option<string>("--user") { Description = "Only this user." };
        var groupBy = new Option<string>("--group-by") { Description = "Comma-separated: user, endpoint, model, day." };
        var command = AdminCommand("usage", "Usage and cost from the gateway's ledger.", gateway, (client, parsed, ct) =>
            AdminCommands.UsageAsync(client, AnsiConsole.Console, new UsageFilter(parsed.GetValue(from), parsed.GetValue(to), parsed.GetValue(user), parsed.GetValue(groupBy)), parsed.GetValue(csv), ct));
        command.Add(csv);
        command.Add(from);
        command.Add(to);
        command.Add(user);
        command.Add(groupBy);
        return command;
    }

    private static Command AdminCommand(string name, string description, Option<string> gateway, Func<AdminClient, ParseResult, CancellationToken, Task<int>> action)
    {
        var command = new Command(name, description) { gateway };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var address = parsed.GetValue(gateway) ?? DefaultGateway;
            if (!Upstream.TryParseBaseUrl(address, out var uri))
            {
                await Console.Error.WriteLineAsync($"pacer {name}: --gateway '{address}' must be an absolute http:// or https:// address.").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            if (Settings()["PACER_ADMIN_API_KEY"] is not { Length: > 0 } key)
            {
                await Console.Error.WriteLineAsync($"pacer {name}: PACER_ADMIN_API_KEY is not set (environment or .env); it must be the gateway's admin key.").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            if (Console.IsOutputRedirected)
            {
                AnsiConsole.Profile.Width = 200;
            }

            using var client = new AdminClient(uri, key);
            try
            {
                return await action(client, parsed, cancellationToken).ConfigureAwait(false);
            }
            catch (AdminException refused)
            {
                await Console.Error.WriteLineAsync($"pacer {name}: {refused.Message}").ConfigureAwait(false);
                return ExitCodes.Failed;
            }
        });
        return command;
    }

    /// <summary>The same settings sources as the gateway and the library: appsettings.json, .env, the environment.</summary>
    private static IConfigurationRoot Settings() => new ConfigurationBuilder().AddPacerSources().Build();
}
