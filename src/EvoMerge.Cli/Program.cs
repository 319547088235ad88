EvoMerge.Tensors.OpenMpSpin.Limit();
return EvoMerge.Cli.EvoMergeCommandLine.Run(args);
