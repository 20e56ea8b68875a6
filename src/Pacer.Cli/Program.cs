return await Pacer.Cli.CliApp.MainAsync(args).ConfigureAwait(false);
