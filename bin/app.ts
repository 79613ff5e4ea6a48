#!/usr/bin/env node
import { createPipelineApp } from '../lib/pipeline-app.js';

createPipelineApp().app.synth();
