using EvoMerge.Cli;

return EvoMergeCommandLine.Run(args);
