namespace Pacer.Packaging.Tests;

/// <summary>The throwaway console project of a user: the Pacer package and the official SDK, nothing of this repository.</summary>
internal static class ConsumerProject
{
    public static void Write(string folder, string name, string pacerVersion, string anthropicVersion, string packages)
    {
        // Empty build files stop MSBuild from looking further up for a Directory.Build.props or central versions.
        File.WriteAllText(Path.Combine(folder, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(folder, "Directory.Build.targets"), "<Project />\n");
        File.WriteAllText(Path.Combine(folder, "Directory.Packages.props"), "<Project />\n");

        // The packed folder beside the normal sources.
        File.WriteAllText(Path.Combine(folder, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="pacer-packed" value="{packages}" />
              </packageSources>
            </configuration>
            """);

        File.WriteAllText(Path.Combine(folder, name + ".csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Pacer" Version="{pacerVersion}" />
                <PackageReference Include="Anthropic" Version="{anthropicVersion}" />
              </ItemGroup>
            </Project>
            """);

        File.WriteAllText(Path.Combine(folder, "Program.cs"), Program);
    }

    // `call <base url>`: one call through the official SDK on a paced HttpClient, the SDK's own retries off.
    // `invalid`: the settings error a user gets for two bad values.
    private const string Program = """
        using Anthropic;
        using Anthropic.Models.Messages;
        using Pacer.Configuration;
        using Pacer.Http;

        switch (args)
        {
            case ["call", var baseUrl]:
                using (var client = new AnthropicClient
                {
                    ApiKey = "sk-ant-consumer-test",
                    HttpClient = PacerHttpClient.Create(new PacerOptions { MaxRequestsPerMinute = 50, MaxConcurrentRequests = 5, MaxRetries = 3 }),
                    MaxRetries = 0,
                    BaseUrl = baseUrl,
                    Timeout = TimeSpan.FromMinutes(2),
                })
                {
                    var message = await client.Messages.Create(new MessageCreateParams
                    {
                        Model = "claude-sonnet-4-5",
                        MaxTokens = 64,
                        Messages = [new UserMessageParam { Content = "Say hello to the consumer test." }],
                    });
                    var text = string.Concat(message.Content.Select(block => block.TryPickText(out var t) ? t.Text : ""));
                    Console.WriteLine($"answer: {message.ID} {message.Usage.OutputTokens} {text}");
                }

                return 0;

            case ["invalid"]:
                try
                {
                    PacerHttpClient.Create(new PacerOptions { MaxRequestsPerMinute = 5000, MaxRetries = 11 }).Dispose();
                    Console.WriteLine("accepted");
                    return 1;
                }
                catch (PacerOptionsException e)
                {
                    Console.WriteLine(e.Message);
                    return 0;
                }

            default:
                Console.Error.WriteLine("usage: PacerConsumer call <base url> | invalid");
                return 2;
        }
        """;
}
